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
    super(
      `verify failed: ${checks
        .filter((c) => !c.ok)
        .map((c) => `${c.kind} ${c.target}: ${c.detail}`)
        .join('; ')}`,
    );
  }
}

/** The agent's stable revision moved (an operator's deploy, another promotion) after prepare read it: the candidate was derived from the wrong parent. */
export class StableMovedError extends Error {
  constructor(agentId: string, parentRevisionId: string) {
    super(
      `agent ${agentId}'s stable revision is no longer ${parentRevisionId} (deployed or promoted meanwhile); the mutation is planned again from the new one`,
    );
  }
}
