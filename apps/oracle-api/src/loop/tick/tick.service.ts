import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService, type Prisma } from '@metaloop/db';
import {
  mutationSchema,
  type GateResult,
  type TickDeferral,
  type TickPlan,
  type TickResult,
  type TickStage,
} from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { inSpan } from '@metaloop/observability/tracing';
import { PolicyStore } from '@metaloop/policies';
import { AnalysisService } from '../analysis/analysis.service';
import type { Env } from '../../config/env.schema';
import { HandoffService } from '../handoff/handoff.service';
import { FindingsService } from '../findings/findings.service';
import { admitPicks, deferral, rankPicks, type Admission } from '../planning/fleet-admission';
import type { AgentPick } from '../planning/planner';
import { PlanningService } from '../planning/planning.service';
import { PlansService } from '../plans/plans.service';
import { GateStateReader } from '../validation/gate-state.reader';
import { TrainingService } from '../training/training.service';
import { TickLock } from './tick-lock';
import { TickMetrics } from './tick.metrics';

type StageOutcome = TickStage['outcome'];
const ACTOR = 'system:tick';
const SOURCE = 'tick';

/** A stage that ends the tick early: nothing left to do, or nothing fits now. */
class TickStop extends Error {
  constructor(
    readonly outcome: StageOutcome,
    summary: string,
  ) {
    super(summary);
  }
}

interface TickOptions {
  time_window_hours?: number;
  dry_run?: boolean;
}

/** What one tick did, filled stage by stage. */
interface TickWork {
  stages: TickStage[];
  plans: TickPlan[];
  deferred: TickDeferral[];
  resolved: number;
  gates?: GateResult[];
}

/** At most `n` items in a summary, then how many more. */
const listed = (items: readonly string[], n = 5) =>
  items.length > n ? `${items.slice(0, n).join('; ')} … and ${items.length - n} more` : items.join('; ');

const countBy = <T>(items: readonly T[], key: (item: T) => string) =>
  Object.entries(
    items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {}),
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/**
 * One turn of the loop over the whole fleet, single-flight across every replica (a Redis lock),
 * recorded in `ticks`: analyze (which also closes findings that stopped holding) → plan one
 * mutation per agent for every open or deferred finding → rank them (severity × expected impact
 * × traffic) and judge each agent's plan on its own with the SPEC gates, counting the ones admitted
 * before it → make and hand over one plan per admitted agent. What does not fit now (budget,
 * concurrency, cooldown, approval, a freeze, another gate, no fix) is deferred with the reason,
 * and the next tick looks again: one agent's refusal never blocks another, and nothing stalls.
 */
@Injectable()
export class TickService {
  private readonly logger = new Logger(TickService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly lock: TickLock,
    private readonly analysis: AnalysisService,
    private readonly planning: PlanningService,
    private readonly findings: FindingsService,
    private readonly plans: PlansService,
    private readonly gateState: GateStateReader,
    private readonly handoff: HandoffService,
    private readonly policies: PolicyStore,
    private readonly metrics: TickMetrics,
    private readonly config: ConfigService<Env, true>,
    private readonly training: TrainingService,
  ) {}

  /** Traced as `oracle tick` (a child of the REST request, or a root for a scheduled one), a span per stage under it. */
  tick(trigger: string, options: TickOptions = {}): Promise<TickResult> {
    return inSpan('oracle tick', { attributes: { 'metaloop.trigger': trigger } }, async (span) => {
      const result = await this.tickOnce(trigger, options);
      span?.setAttributes({ 'metaloop.tick_id': result.tick_id ?? '', 'metaloop.tick_status': result.status });
      return result;
    });
  }

  private async tickOnce(trigger: string, options: TickOptions): Promise<TickResult> {
    const tickId = uuidv7();
    const startedAt = new Date();
    const claim = await this.lock.acquire(tickId);
    if ('heldBy' in claim) {
      this.metrics.record('skipped', trigger);
      const summary = `skipped: tick ${claim.heldBy} is running on another replica (one tick runs at a time)`;
      return {
        tick_id: null,
        status: 'skipped',
        trigger,
        summary,
        stages: [],
        plan_id: null,
        started_at: startedAt.toISOString(),
        finished_at: new Date().toISOString(),
        plans: [],
        deferred: [],
        resolved: 0,
      };
    }
    try {
      await this.prisma.tick.create({ data: { id: tickId, trigger, status: 'running', startedAt } });
      return await this.run(tickId, trigger, startedAt, options);
    } finally {
      await claim.lock.release();
    }
  }

  private async run(tickId: string, trigger: string, startedAt: Date, options: TickOptions): Promise<TickResult> {
    const work: TickWork = { stages: [], plans: [], deferred: [], resolved: 0 };
    let status: 'succeeded' | 'failed' = 'succeeded';
    let error: string | null = null;
    try {
      await this.loop(work, options);
    } catch (caught) {
      if (!(caught instanceof TickStop)) {
        status = 'failed';
        error = (caught as Error).message;
        this.logger.error(`tick ${tickId} failed: ${error}`);
      }
    }
    // Deferrals are recorded whatever stopped the tick: each finding says why it waits.
    await this.findings.defer(
      work.deferred.map((d) => ({ finding_id: d.finding_id, reason: d.reason, detail: d.detail })),
      new Date(),
    );
    const finishedAt = new Date();
    const summary = work.stages.map((s) => `${s.stage}: ${s.summary}`).join(' | ');
    await this.prisma.tick.update({
      where: { id: tickId },
      data: {
        status,
        stages: work.stages as unknown as Prisma.InputJsonValue,
        plans: work.plans as unknown as Prisma.InputJsonValue,
        deferred: work.deferred as unknown as Prisma.InputJsonValue,
        summary,
        error,
        finishedAt,
      },
    });
    this.metrics.record(
      status === 'succeeded' ? 'success' : 'failure',
      trigger,
      (finishedAt.getTime() - startedAt.getTime()) / 1000,
    );
    this.metrics.recordWork(work.plans, work.deferred);
    const planId = (work.plans.find((p) => p.status === 'queued') ?? work.plans[0])?.plan_id ?? null;
    return {
      tick_id: tickId,
      status,
      trigger,
      summary,
      stages: work.stages,
      plan_id: planId,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      ...(work.gates ? { gates: work.gates } : {}),
      plans: work.plans,
      deferred: work.deferred,
      resolved: work.resolved,
    };
  }

  private async loop(work: TickWork, options: TickOptions): Promise<void> {
    const stage = this.stageRunner(work);
    const { policy } = this.policies.current();
    const hours = options.time_window_hours ?? this.config.get('TICK_WINDOW_HOURS', { infer: true });

    const { unplanned, traffic } = await stage('analyze', async () => {
      const expired = await this.plans.expireStale(policy.plans.expire_after_minutes, ACTOR);
      const { response, traffic: perAgent } = await this.analysis.run({ time_window_hours: hours });
      const { analysis } = response;
      work.resolved = analysis.resolved_findings + analysis.superseded_findings;
      const open = await this.findings.unplanned();
      const closed = `${analysis.resolved_findings} resolved, ${analysis.superseded_findings} superseded${expired.length ? `, ${expired.length} stale plan(s) expired` : ''}`;
      if (open.length === 0)
        throw new TickStop(
          'nothing_to_do',
          `no open findings over the last ${hours} h (${analysis.agents_analyzed} agents analyzed; ${closed})`,
        );
      const waiting = open.filter((f) => f.status === 'deferred').length;
      return {
        value: { unplanned: open, traffic: perAgent },
        summary: `${open.length} finding(s) to plan (${waiting} deferred before) of ${analysis.findings.length} over ${analysis.agents_analyzed} agent(s); ${closed}`,
      };
    });

    const ranked = await stage('plan', async () => {
      // Retrain findings go to the trainer too (a dataset and a training request, once per finding, cooldown kept).
      await this.training.requestAll(unplanned);
      const { picks, skipped } = await this.planning.propose(unplanned);
      for (const s of skipped)
        work.deferred.push({
          finding_id: s.finding_id,
          agent_id: s.agent_id,
          reason: s.deferral ?? 'no_mutation',
          detail: s.reason,
        });
      const without = skipped.length
        ? `; ${skipped.length} finding(s) without one (${countBy(skipped, (s) => s.deferral ?? 'no_mutation')})`
        : '';
      if (picks.length === 0)
        throw new TickStop(
          'nothing_to_do',
          `no mutation fits: ${listed(skipped.map((s) => `${s.agent_id} ${s.type}: ${s.reason}`))}`,
        );
      return { value: rankPicks(picks, traffic), summary: `a mutation for ${picks.length} agent(s)${without}` };
    });

    const admissions = await stage('validate', async () => {
      const state = await this.gateState.read(policy, {
        mutations: ranked.map((p) => mutationSchema.parse(p.mutation)),
        finding_ids: ranked.flatMap(findingIds),
      });
      const judged = admitPicks(policy, ranked, state, SOURCE);
      const deferred = judged.filter((a): a is Extract<Admission, { kind: 'deferred' }> => a.kind === 'deferred');
      for (const d of deferred) this.defer(work, d.pick, d.reason, d.detail);
      const admitted = judged.filter((a): a is Extract<Admission, { kind: 'plan' }> => a.kind === 'plan');
      const waitingOut = deferred.length ? `, ${deferred.length} deferred (${countBy(deferred, (d) => d.reason)})` : '';
      if (admitted.length === 0)
        throw new TickStop(
          'blocked',
          `nothing fits now${waitingOut}: ${listed(deferred.map((d) => `${d.pick.mutation.agent_id}: ${d.detail}`))}`,
        );
      const approval = admitted.filter((a) => a.needsApproval).length;
      return {
        value: admitted,
        summary: `${admitted.length - approval} pass the gates, ${approval} need approval${waitingOut}`,
      };
    });

    await stage('execute', async () => {
      for (const admission of admissions) await this.handOver(work, admission, options.dry_run ?? false);
      const summary = countBy(work.plans, (p) => p.status);
      return {
        value: undefined,
        summary: `${work.plans.length} plan(s): ${summary}${options.dry_run ? ' (dry run: nothing queued)' : ''}`,
      };
    });
  }

  /** Makes the agent's plan and hands it over; what the gates say now (they re-check) decides where it stands. */
  private async handOver(
    work: TickWork,
    admission: Extract<Admission, { kind: 'plan' }>,
    dryRun: boolean,
  ): Promise<void> {
    const view = await this.plans.create(admission.plan, ACTOR);
    const submission = await this.handoff.submit(view.plan_id, ACTOR, dryRun);
    const entry = {
      plan_id: view.plan_id,
      agent_id: admission.pick.mutation.agent_id,
      mutation_type: admission.pick.mutation.type,
    };
    work.gates ??=
      submission.outcome === 'accepted' ? submission.response.validation.gates : submission.validation?.gates;
    if (submission.outcome === 'accepted') {
      work.plans.push({ ...entry, status: submission.response.status, reason: null });
    } else if (submission.outcome === 'needs_approval') {
      work.plans.push({ ...entry, status: 'awaiting_approval', reason: submission.refusal.message });
    } else {
      // The state moved since the admission (another replica's rollout, a freeze): blocked now, its findings wait.
      const failed = submission.validation?.gates.filter((g) => g.status === 'fail') ?? [];
      const why = failed.length ? deferral(failed) : { reason: 'gates' as const, detail: submission.refusal.message };
      work.plans.push({ ...entry, status: 'blocked', reason: why.detail });
      this.defer(work, admission.pick, why.reason, why.detail);
    }
  }

  private defer(work: TickWork, pick: AgentPick, reason: TickDeferral['reason'], detail: string): void {
    for (const f of [pick.finding, ...pick.also])
      work.deferred.push({ finding_id: f.finding_id, agent_id: f.agent_id, reason, detail });
  }

  /** Runs a stage and records its outcome and duration (a TickStop ends the tick with its outcome). */
  private stageRunner(work: TickWork) {
    return async <T>(
      name: TickStage['stage'],
      run: () => Promise<{ value: T; outcome?: StageOutcome; summary: string }>,
    ): Promise<T> => {
      const started = performance.now();
      try {
        const {
          value,
          outcome = 'done',
          summary,
        } = await inSpan(`tick ${name}`, { expected: (error) => error instanceof TickStop }, run);
        this.record(work.stages, name, outcome, started, summary);
        return value;
      } catch (error) {
        this.record(
          work.stages,
          name,
          error instanceof TickStop ? error.outcome : 'failed',
          started,
          (error as Error).message,
        );
        throw error;
      }
    };
  }

  private record(
    stages: TickStage[],
    stage: TickStage['stage'],
    outcome: StageOutcome,
    started: number,
    summary: string,
  ): void {
    const durationMs = performance.now() - started;
    stages.push({ stage, outcome, duration_ms: Math.round(durationMs * 10) / 10, summary });
    this.metrics.stageDuration.observe({ stage, outcome }, durationMs / 1000);
  }
}

const findingIds = (pick: AgentPick) => [pick.finding.finding_id, ...pick.also.map((f) => f.finding_id)];
