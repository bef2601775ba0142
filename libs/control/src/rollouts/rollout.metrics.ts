import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import {
  ACTIVE_ROLLOUT_STATUSES,
  MUTATION_TYPES,
  ROLLBACK_TRIGGERS,
  type RollbackReason,
  type RollbackTrigger,
} from '@metaloop/contracts';
import { MetricsRegistry, refreshEvery } from '@metaloop/observability';
import { Counter, Histogram } from 'prom-client';

/** The reasons each trigger can give: the label pairs a rollback can carry. */
export const ROLLBACK_LABELS: ReadonlyArray<{ reason: RollbackReason; trigger: RollbackTrigger }> = [
  { reason: 'hard_threshold', trigger: 'auto' },
  { reason: 'comparative', trigger: 'auto' },
  { reason: 'timeout', trigger: 'auto' },
  { reason: 'freeze', trigger: 'auto' },
  { reason: 'manual', trigger: 'operator' },
  { reason: 'emergency', trigger: 'operator' },
  { reason: 'freeze', trigger: 'operator' },
];

/**
 * What becomes of a mutation: its rollout started, was refused (budget, freeze) or failed to start,
 * then promoted, rolled back (harm, an operator) or retired (not better: the champion kept).
 */
export const MUTATION_RESULTS = ['started', 'refused', 'failed', 'promoted', 'rolled_back', 'retired'] as const;
export type MutationResult = (typeof MUTATION_RESULTS)[number];

/** How often the agents with a rollout in progress are read to give them their zero series. */
const ZERO_SERIES_REFRESH_MS = 5_000;

/**
 * Rollout outcomes as both apps count them: rollbacks come from the orchestrator's monitor and
 * from oracle-api's operators, the other outcomes from the orchestrator. Retirements are no
 * rollbacks: they count only in `metaloop_mutations_total{result="retired"}`.
 */
@Injectable()
export class RolloutMetrics implements OnModuleInit, OnModuleDestroy {
  readonly rollbacks: Counter<'agent_id' | 'reason' | 'trigger'>;
  readonly duration: Histogram<'trigger'>;
  readonly mutations: Counter<'mutation_type' | 'result'>;
  private stopRefreshing?: () => void;

  constructor(
    registry: MetricsRegistry,
    private readonly prisma: PrismaService,
  ) {
    this.rollbacks = new Counter({
      name: 'metaloop_rollbacks_total',
      help: 'Rollouts rolled back, by agent, reason (hard_threshold, comparative, timeout, freeze, manual, emergency) and trigger (auto, operator)',
      labelNames: ['agent_id', 'reason', 'trigger'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'metaloop_rollback_duration_seconds',
      help: 'Time to rollback: from the last look that saw the rollout healthy (auto) or the request (operator) to stable served again (routing flipped, config.changed sent)',
      labelNames: ['trigger'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    });
    // At 0 from the start, so the first rollback is a rate() and not a series appearing at 1.
    for (const trigger of ROLLBACK_TRIGGERS) this.duration.zero({ trigger });
    this.mutations = new Counter({
      name: 'metaloop_mutations_total',
      help: 'Mutations by type and result: started (its canary runs), refused (budget or freeze), failed (prepare, apply or verify), promoted, rolled_back, retired (not better: the champion kept)',
      labelNames: ['mutation_type', 'result'],
      registers: [registry],
    });
    for (const mutation_type of MUTATION_TYPES)
      for (const result of MUTATION_RESULTS) this.mutations.inc({ mutation_type, result }, 0);
  }

  /**
   * Every agent with a rollout in progress has its series at 0 before any rollback, so the first
   * one is an increase() to the alert, not a new series it cannot see grow. Read from Postgres
   * every few seconds off the scrape path, so a scrape never waits for the database.
   */
  onModuleInit(): void {
    this.stopRefreshing = refreshEvery(ZERO_SERIES_REFRESH_MS, async () => {
      const active = await this.prisma.rollout.findMany({
        where: { status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
        select: { agentId: true },
        distinct: ['agentId'],
      });
      for (const { agentId } of active)
        for (const labels of ROLLBACK_LABELS) this.rollbacks.inc({ agent_id: agentId, ...labels }, 0);
    });
  }

  onModuleDestroy(): void {
    this.stopRefreshing?.();
  }
}
