import { STATUS_CODES } from 'node:http';

/** One invalid field: where it is (dotted path and JSON pointer) and what is wrong. */
export interface FieldError {
  path: string;
  pointer: string;
  message: string;
}

/** RFC 7807 problem details, as every error of every app is answered. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, detail?: string, extensions: Partial<ProblemDetails> = {}): ProblemDetails {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...extensions,
  };
}

/** Path segments (as zod and Standard Schema report them) → "events.3.agent_id" and "/events/3/agent_id". */
export function fieldError(path: ReadonlyArray<PropertyKey | { key: PropertyKey }>, message: string): FieldError {
  const segments = path.map((segment) =>
    String(typeof segment === 'object' && segment !== null ? segment.key : segment),
  );
  return {
    path: segments.join('.'),
    pointer: '/' + segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
    message,
  };
}
