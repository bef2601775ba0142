/** The REST API the console calls: oracle-api itself (same origin), with the key the person typed in. */

const KEY_STORAGE = 'metaloop.console.key';

export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 7807 answer, as every metaloop error is. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  save: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, key = session.key()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (key) headers['authorization'] = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError({ type: 'about:blank', title: 'oracle-api unreachable', status: 0, detail: String(error) });
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const problem =
      parsed && typeof parsed === 'object' && 'status' in parsed
        ? (parsed as Problem)
        : { type: 'about:blank', title: response.statusText || 'Error', status: response.status, detail: text };
    throw new ApiError(problem);
  }
  return parsed as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown) => call<T>('POST', path, body);

/** `?a=1&b=x` of the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type Scope =
  'feedback:write' | 'config:read' | 'oracle:read' | 'oracle:write' | 'oracle:execute' | 'oracle:rollback' | 'admin';

export interface Whoami {
  key_id: string | null;
  name: string;
  scopes: Scope[];
  grafana_url: string | null;
}

export const may = (who: Whoami | null, scope: Scope): boolean =>
  !!who && (who.scopes.includes('admin') || who.scopes.includes(scope));
