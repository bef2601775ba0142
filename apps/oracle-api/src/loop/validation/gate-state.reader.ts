import { Inject, Injectable } from '@nestjs/common';
import { ADAPTER_SET, AdapterError, type AdapterContext, type AdapterSet } from '@metaloop/adapters';
import { FreezeControl, MutationBudget } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import type { CandidateSpec, Environment, MutationType, Plan } from '@metaloop/contracts';
import {
  adapterConstraints,
  type AgentGateState,
  type GateState,
  type Policy,
  type PrepareOutcome,
} from '@metaloop/policies';
import { AgentSnapshots, type AgentSnapshot } from '../../common/agent-snapshots';

const DRY_RUN_OPERATION = 'validation-dry-run';

function candidateKeys(candidates: readonly CandidateSpec[]): AgentGateState['candidates'] {
  const keys: AgentGateState['candidates'] = { prompt: [], model: [], lora: [], backend: [] };
  for (const c of candidates) {
    if (c.type === 'prompt') keys.prompt.push(c.version);
    else if (c.type === 'model') keys.model.push(c.model);
    else if (c.type === 'lora') keys.lora.push(c.adapter_id);
    else keys.backend.push(c.backend_id);
  }
  return keys;
}

/** The adapter's dry prepare: would this mutation derive a valid candidate config from the stable one? */
export function dryPrepare(
  adapters: AdapterSet,
  policy: Policy,
  agent: AgentSnapshot | undefined,
  mutation: Plan['mutations'][number],
): PrepareOutcome | undefined {
  if (!agent?.stable || !agent.stableRevisionId) return undefined;
  const ctx: AdapterContext = {
    agentId: agent.agentId,
    environment: agent.environment,
    parentRevisionId: agent.stableRevisionId,
    parent: agent.stable,
    candidates: agent.candidates,
    constraints: adapterConstraints(policy, agent.environment),
    operationId: DRY_RUN_OPERATION,
  };
  try {
    adapters[mutation.type].prepare(ctx, mutation.params);
    return { ok: true };
  } catch (error) {
    if (error instanceof AdapterError) return { ok: false, code: error.code, reason: error.message };
    throw error;
  }
}

/**
 * Gathers what the SPEC gates judge a plan against, right before they do: the agents it
 * touches, the freeze, rollouts in progress, the budget used (from the same ledger the
 * atomic reservation counts), the evidence behind each mutation and the adapters' dry prepare
 * (the app's one adapter set, built from the same variables as the orchestrator's).
 */
@Injectable()
export class GateStateReader {
  constructor(
    private readonly prisma: PrismaService,
    private readonly snapshots: AgentSnapshots,
    private readonly freeze: FreezeControl,
    private readonly budget: MutationBudget,
    @Inject(ADAPTER_SET) private readonly adapters: AdapterSet,
  ) {}

  async read(policy: Policy, plan: Pick<Plan, 'mutations' | 'finding_ids'>): Promise<GateState> {
    const [agents, freeze, usage, evidence, handedOver] = await Promise.all([
      this.snapshots.read(plan.mutations.map((m) => m.agent_id)),
      this.freeze.state(),
      this.budget.usage(),
      this.evidenceByAgent(plan.finding_ids),
      this.handedOver(),
    ]);
    const inFlight = (type: string) => handedOver.filter((m) => m.type === type).length;
    return {
      now: new Date().toISOString(),
      freeze: { frozen: freeze.frozen, reason: freeze.reason },
      agents: Object.fromEntries(
        [...agents.values()].map((a): [string, AgentGateState] => [
          a.agentId,
          {
            environment: a.environment,
            stable: a.stable && a.stableRevisionId ? { revision_id: a.stableRevisionId, config: a.stable } : null,
            active_rollout_id: a.activeRolloutId,
            last_mutation_finished_at: a.lastRolloutFinishedAt?.toISOString() ?? null,
            candidates: candidateKeys(a.candidates),
          },
        ]),
      ),
      // Mutations handed to the orchestrator but not yet started count as started: they will be.
      running_rollouts: usage.activeRollouts + handedOver.length,
      budget_usage: {
        last_hour_global: usage.lastHour + handedOver.length,
        last_hour_by_environment: Object.fromEntries(
          Object.entries(usage.lastHourByEnvironment).map(([environment, used]) => [
            environment,
            used + handedOver.filter((m) => m.environment === environment).length,
          ]),
        ),
        last_day_by_type: Object.fromEntries(
          [...new Set([...Object.keys(usage.lastDayByType), ...handedOver.map((m) => m.type)])].map((type) => [
            type,
            (usage.lastDayByType[type as MutationType] ?? 0) + inFlight(type),
          ]),
        ),
      },
      mutations: plan.mutations.map((m) => ({
        evidence_events: evidence.get(m.agent_id) ?? 0,
        prepare: dryPrepare(this.adapters, policy, agents.get(m.agent_id), m),
      })),
    };
  }

  /** Mutations of queued or executing plans whose rollout does not exist yet. */
  private async handedOver(): Promise<Array<{ type: MutationType; environment: Environment }>> {
    const rows = await this.prisma.mutation.findMany({
      where: { status: 'pending', plan: { status: { in: ['queued', 'executing'] } }, rollouts: { none: {} } },
      select: { type: true, agentId: true },
    });
    if (rows.length === 0) return [];
    const environments = new Map(
      (
        await this.prisma.agent.findMany({
          where: { id: { in: rows.map((r) => r.agentId) } },
          select: { id: true, environment: true },
        })
      ).map((a) => [a.id, a.environment]),
    );
    return rows.flatMap((r) => {
      const environment = environments.get(r.agentId);
      return environment ? [{ type: r.type, environment }] : [];
    });
  }

  /** Events the plan's stored findings rest on, per agent (the sum of their evidence `n`). */
  private async evidenceByAgent(findingIds: readonly string[]): Promise<Map<string, number>> {
    if (findingIds.length === 0) return new Map();
    const findings = await this.prisma.finding.findMany({
      where: { id: { in: [...findingIds] } },
      select: { agentId: true, evidence: true },
    });
    const totals = new Map<string, number>();
    for (const f of findings) {
      const n = Number((f.evidence as { n?: unknown }).n ?? 0);
      totals.set(f.agentId, (totals.get(f.agentId) ?? 0) + (Number.isFinite(n) ? n : 0));
    }
    return totals;
  }
}
