import { LIMITS, type GateName, type GateResult, type Mutation } from '@metaloop/contracts';

/** One thing a gate objects to: it fails the plan, or makes it wait for a person. */
export interface Objection {
  status: 'fail' | 'needs_approval';
  reason: string;
  /** Index of the mutation it is about, if it is about one. */
  mutation?: number;
  /** What kind of limit objects, where a caller may wait it out (the tick defers by it): e.g. `cooldown`, `budget`. */
  code?: string;
}

/** `mutations[2] (PARAM_SET on helpful_assistant)`: which mutation a reason is about. */
export function mutationLabel(mutation: Mutation, index: number): string {
  return `mutations[${index}] (${mutation.type} on ${mutation.agent_id})`;
}

export const fail = (reason: string, mutation?: number, code?: string): Objection => ({
  status: 'fail',
  reason,
  mutation,
  ...(code ? { code } : {}),
});
export const needsApproval = (reason: string, mutation?: number): Objection => ({
  status: 'needs_approval',
  reason,
  mutation,
});

/**
 * The gate's result from its objections: fail if any fails, else needs_approval if any asks for
 * it, else pass. The reason lists the objections of that status; details keep all of them
 * beside the values the gate compared.
 */
export function verdict(
  gate: GateName,
  objections: Objection[],
  passReason: string,
  compared: Record<string, unknown>,
): GateResult {
  const failing = objections.filter((o) => o.status === 'fail');
  const shown = failing.length > 0 ? failing : objections;
  const status = failing.length > 0 ? 'fail' : objections.length > 0 ? 'needs_approval' : 'pass';
  const reason = status === 'pass' ? passReason : shown.map((o) => o.reason).join('; ');
  return {
    gate,
    status,
    reason: reason.length > LIMITS.shortText ? `${reason.slice(0, LIMITS.shortText - 1)}…` : reason,
    details: objections.length > 0 ? { ...compared, objections } : compared,
  };
}
