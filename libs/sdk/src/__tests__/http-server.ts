import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Handler = (request: Received, res: ServerResponse) => void | Promise<void>;

export interface LocalServer {
  url: string;
  received: Received[];
  /** Replaces how requests are answered from now on. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** A real HTTP server on a free loopback port, in this process: what the SDK talks to in unit specs. */
export async function localServer(handler: Handler): Promise<LocalServer> {
  let current = handler;
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const request = {
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      received.push(request);
      void Promise.resolve(current(request, res)).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    handle: (next) => (current = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

interface BulkBody {
  events: Array<{ event_id: string }>;
}

/** collect/bulk as feedback-api answers it: accepted, or duplicate for an id seen before. */
export function bulkAnswer(body: unknown, seen: Set<string>, rejectIndexes: number[] = []): unknown {
  const { events } = body as BulkBody;
  const results = events.map((event, index) => {
    if (rejectIndexes.includes(index))
      return { index, status: 'rejected', errors: [{ path: 'agent_id', pointer: '/agent_id', message: 'bad' }] };
    const duplicate = seen.has(event.event_id);
    seen.add(event.event_id);
    return { index, status: duplicate ? 'duplicate' : 'accepted', event_id: event.event_id };
  });
  return {
    accepted: results.filter((r) => r.status === 'accepted').length,
    duplicates: results.filter((r) => r.status === 'duplicate').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
    results,
  };
}

export function eventIds(request: Received): string[] {
  return (request.body as BulkBody).events.map((event) => event.event_id);
}
