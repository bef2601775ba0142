import { EXIT, exitCodeForProblem, type ExitCode, type Problem } from './exit-codes';

/** Bad usage: printed with the verb's usage line, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly verb?: string,
  ) {
    super(message);
  }
}

/** Something the command looked for is not there (exit 4), found without asking the API. */
export class NotFoundError extends Error {}

/** A failure the command explains in one line and ends with `exitCode`. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.other,
  ) {
    super(message);
  }
}

/** An answer of the API that is not a success, with its problem document when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly problem: Problem | undefined,
    /** Request body fields → the flag that set them, so a field error can name the flag. */
    readonly flags: Record<string, string> = {},
  ) {
    super(describeProblem(status, problem, flags));
  }

  get exitCode(): ExitCode {
    return exitCodeForProblem(this.status, this.problem);
  }
}

/** One line: status, what went wrong, each field path (and the flag that set it), the refusing gates. */
export function describeProblem(
  status: number,
  problem: Problem | undefined,
  flags: Record<string, string> = {},
): string {
  const parts: string[] = [];
  const kind =
    problem?.type && problem.type !== 'about:blank' ? problem.type.replace(/^urn:metaloop:problem:/, '') : '';
  const head = `${status}${kind ? ` ${kind}` : problem?.title ? ` ${problem.title}` : ''}`;
  const detail = problem?.detail ?? (problem ? undefined : 'no problem document in the answer');
  const fieldErrors = (problem?.errors ?? []).map((error) => {
    const path = error.path ?? '';
    const flag = flags[path] ?? flags[path.split('.')[0] ?? ''];
    return `${path || '(body)'}${flag ? ` (${flag})` : ''}: ${error.message ?? 'invalid'}`;
  });
  const gates = (problem?.gates ?? [])
    .filter((gate) => gate.status !== 'pass')
    .map((gate) => `${gate.gate ?? '?'} ${gate.status ?? ''}: ${gate.reason ?? ''}`.trim());
  if (fieldErrors.length > 0) parts.push(fieldErrors.join('; '));
  else if (detail) parts.push(detail);
  if (gates.length > 0) parts.push(`gates: ${gates.join('; ')}`);
  return `${head}: ${parts.join(' — ') || 'request failed'}`.replace(/\s+/g, ' ');
}
