import { Injectable } from '@nestjs/common';
import { FreezeControl, RollbackService } from '@metaloop/control';
import type { FreezeRequest, FreezeResponse, RollbackRequest, RollbackResult } from '@metaloop/contracts';
import { PolicyStore } from '@metaloop/policies';

/**
 * The operator's two levers, both working with the orchestrator stopped: rollback flips routing
 * back to stable here (RollbackService; the orchestrator reverts the adapters when it is back),
 * and freeze stops new rollouts and further steps, rolling running canaries back at once when
 * the policy says `freeze.in_flight: rollback`.
 */
@Injectable()
export class ControlService {
  constructor(
    private readonly rollbacks: RollbackService,
    private readonly freeze: FreezeControl,
    private readonly policies: PolicyStore,
  ) {}

  rollback(request: RollbackRequest, actor: string): Promise<RollbackResult> {
    return this.rollbacks.rollBackRequested(request, actor);
  }

  async setFreeze(request: FreezeRequest, actor: string): Promise<FreezeResponse> {
    const state = await this.freeze.set(request.frozen, request.reason, actor);
    const inFlight = this.policies.current().policy.freeze.in_flight;
    const rolledBack =
      request.frozen && inFlight === 'rollback'
        ? await this.rollbacks.rollBackAll({
            reason: 'freeze',
            trigger: 'operator',
            actor,
            detail: `frozen by ${actor}${request.reason ? `: ${request.reason}` : ''} (freeze.in_flight: rollback)`,
          })
        : [];
    return { ...state, in_flight: inFlight, rolled_back: rolledBack };
  }
}
