import type { EffectCheck } from '@metaloop/adapters';

/** The rollout stopped being pending while it was applied: an operator rolled it back meanwhile. */
export class RolloutCancelledError extends Error {
  constructor(readonly rolloutId: string) {
    super(`rollout ${rolloutId} is no longer pending (rolled back meanwhile)`);
  }
}

/** The adapter applied, but the outside world does not show its side effects. */
export class VerifyFailedError extends Error {
  constructor(readonly checks: EffectCheck[]) {
    super(`verify failed: ${checks.filter((c) => !c.ok).map((c) => `${c.kind} ${c.target}: ${c.detail}`).join('; ')}`);
  }
}
