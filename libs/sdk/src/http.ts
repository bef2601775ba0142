export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<HttpAnswer>;

/** The one place the SDK touches the network: base URL, API key, JSON, a deadline per request. */
export class Http {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    baseUrl: string,
    apiKey: string | undefined,
    private readonly fetchImpl: FetchLike,
    userAgent: string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.headers = { accept: 'application/json', 'user-agent': userAgent };
    if (apiKey) this.headers.authorization = `Bearer ${apiKey}`;
  }

  request(
    method: 'GET' | 'POST',
    path: string,
    timeoutMs: number,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const headers = { ...this.headers, ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    try {
      return this.fetchImpl(`${this.base}${path}`, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** Lets a timer not keep the process alive (Node, Bun, Deno); a no-op where timers are numbers. */
export function unref(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer) (timer as { unref(): void }).unref();
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
