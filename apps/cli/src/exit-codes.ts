/** What the command's exit status means, for scripts. */
export const EXIT = {
  ok: 0,
  /** Anything else: the API failed, could not be reached, refused the key. */
  other: 1,
  /** Bad usage: unknown verb or flag, a missing or invalid value (also when the API says the input is invalid). */
  usage: 2,
  /** Refused by a SPEC gate or policy: the plan's gates, the mutation budget, a freeze. */
  refused: 3,
  /** What was named does not exist. */
  notFound: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The parts of an RFC 7807 problem document the command reads. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ path?: string; message?: string }>;
  gates?: Array<{ gate?: string; status?: string; reason?: string }>;
  [extension: string]: unknown;
}

/** Problem types the apps emit when a gate or policy refuses (not a client mistake). */
const REFUSAL_TYPES = /refused|gate|polic|budget|freeze|frozen/i;
const REFUSAL_TEXT = /\bgates?\b|\bpolic(y|ies)\b|\bbudget\b|\bfroz(en)?\b|\bfreeze\b|\bcooldown\b/i;

/**
 * The exit status of an API error: 404 → not found; 400 (the schema refused a value), or a 422
 * naming fields → bad usage; a 409 or 422 whose problem says a gate, policy, budget or freeze refused → 3;
 * everything else → 1.
 */
export function exitCodeForProblem(status: number, problem: Problem | undefined): ExitCode {
  if (status === 404) return EXIT.notFound;
  if (status === 400) return EXIT.usage;
  // A 422 naming fields (a period id that names no period) is a value the person gave.
  if (status === 422 && (problem?.errors?.length ?? 0) > 0) return EXIT.usage;
  if (status === 409 || status === 422) {
    const type = problem?.type ?? '';
    const text = `${problem?.title ?? ''} ${problem?.detail ?? ''}`;
    if (REFUSAL_TYPES.test(type) || (problem?.gates?.length ?? 0) > 0 || REFUSAL_TEXT.test(text)) {
      return EXIT.refused;
    }
  }
  return EXIT.other;
}
