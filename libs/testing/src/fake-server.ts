import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = number | 'hang';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeServer {
  url: string;
  received: Received[];
  /** The next `times` requests to `path` answer `fault` (a status, or never). */
  fault(path: string, fault: Fault, times?: number): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export type Handler = (request: Received, response: ServerResponse) => void;

/** A real HTTP server on a free port, with injectable faults, standing in for vLLM or a router. */
export async function startFakeServer(handle: Handler): Promise<FakeServer> {
  const received: Received[] = [];
  const faults = new Map<string, { fault: Fault; times: number }>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: Received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(entry);
      const injected = faults.get(entry.path);
      if (injected && injected.times > 0) {
        injected.times--;
        if (injected.fault === 'hang') return;
        response.writeHead(injected.fault, { 'content-type': 'text/plain' }).end('injected fault');
        return;
      }
      handle(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    fault: (path, fault, times = Number.POSITIVE_INFINITY) => void faults.set(path, { fault, times }),
    clearFaults: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
