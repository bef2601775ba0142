import type { GateResult } from '@metaloop/contracts';

/** A plan that may not run (yet): 409 with the reason and, when the gates said so, their results. */
export class PlanRefusedError extends Error {
  readonly httpStatus = 409;
  readonly problemType = 'urn:metaloop:problem:plan-refused';
  readonly extensions: { plan_id: string; gates?: GateResult[] };

  constructor(planId: string, message: string, gates?: GateResult[]) {
    super(message);
    this.extensions = { plan_id: planId, ...(gates ? { gates: gates.filter((g) => g.status !== 'pass') } : {}) };
  }
}
