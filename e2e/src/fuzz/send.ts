import { Agent, request } from 'node:http';
import type { FuzzRequest } from './openapi-cases';

export interface FuzzResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** What came back: a response, or no answer within the timeout, or a connection that ended without one. */
export type Outcome = { response: FuzzResponse } | { hang: true } | { dropped: string };

/**
 * Sends a request exactly as made (path bytes, headers, body bytes) with node:http, which
 * neither re-encodes the URL nor refuses a body on any method. No answer within `timeoutMs`
 * is a hang: the server kept the client waiting.
 */
export function send(baseUrl: string, req: FuzzRequest, agent: Agent, timeoutMs: number): Promise<Outcome> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = req.contentLength ?? req.body.length;
    // Once the status line is in, the answer counts even if the server then closes the socket
    // while the client is still sending (a 413 or 431 before the whole request arrived).
    let answered = false;
    const outgoing = request(
      { host: hostname, port, method: req.method, path: req.url, headers, agent },
      (incoming) => {
        answered = true;
        const chunks: Buffer[] = [];
        const finish = () =>
          done({
            response: {
              status: incoming.statusCode ?? 0,
              contentType: incoming.headers['content-type'],
              body: Buffer.concat(chunks),
            },
          });
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', finish);
        incoming.on('close', finish);
      },
    );
    const timer = setTimeout(() => {
      done({ hang: true });
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on('error', (error) => {
      if (!answered) done({ dropped: `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` });
    });
    outgoing.end(req.body);
  });
}

/** Runs `work` over `items` with at most `concurrency` at a time, results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
