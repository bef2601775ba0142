import { ApiError, CommandError } from './errors';
import { EXIT, type Problem } from './exit-codes';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  accept?: string;
  /** Body field path → flag, for field errors. */
  flags?: Record<string, string>;
  /** Give up when the answer has not come (and, for a body read later, finished) within this; 0: never. */
  timeoutMs?: number;
}

/** A request the API does not answer within this fails (a download streams without a limit). */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** One app's REST API: JSON in and out, Bearer key, problem+json errors as ApiError. */
export class ApiClient {
  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('POST', path, { ...options, body });
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('DELETE', path, options);
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  async text(path: string, accept: string): Promise<string> {
    return (await this.send('GET', path, { accept })).text();
  }

  /** The raw answer of a successful request (for streaming downloads); errors are thrown. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (error) {
      if ((error as Error)?.name === 'TimeoutError') {
        throw new CommandError(
          `no answer from ${this.name} at ${this.baseUrl} within ${timeoutMs / 1000} s`,
          EXIT.other,
        );
      }
      throw new CommandError(`cannot reach ${this.name} at ${this.baseUrl}: ${causeOf(error)}`, EXIT.other);
    }
    if (response.ok) return response;
    throw new ApiError(method, url, response.status, await problemOf(response), options.flags);
  }

  url(path: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }
}

async function problemOf(response: Response): Promise<Problem | undefined> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Problem) : undefined;
  } catch {
    return text ? { detail: text.slice(0, 300) } : undefined;
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

/** A path segment from user input (an id), encoded. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
