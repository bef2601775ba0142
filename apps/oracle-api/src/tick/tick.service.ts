import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService, type Prisma } from '@metaloop/db';
import { uuidv7, type TickResult, type TickStage } from '@metaloop/events';
import { AnalysisService } from '../analysis/analysis.service';
import type { Env } from '../config/env.schema';
import { ExecutionService } from '../execution/execution.service';
import { PlanningService } from '../planning/planning.service';
import { ValidationService } from '../validation/validation.service';
import { TickLock } from './tick-lock';
import { TickMetrics } from './tick.metrics';

type StageOutcome = TickStage['outcome'];
const ACTOR = 'system:tick';

/** A stage that ends the tick early: nothing left to do, or the plan stopped at a gate. */
class TickStop extends Error {
  constructor(readonly outcome: StageOutcome, summary: string) {
    super(summary);
  }
}

/**
 * One turn of the loop: analyze → plan → validate → execute, single-flight across every
 * replica (a Redis lock), recorded in `ticks` with each stage's outcome and duration. A tick
 * with nothing to do says so; a plan that needs a person stops at validate and waits.
 */
@Injectable()
export class TickService {
  private readonly logger = new Logger(TickService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly lock: TickLock,
    private readonly analysis: AnalysisService,
    private readonly planning: PlanningService,
    private readonly validation: ValidationService,
    private readonly execution: ExecutionService,
    private readonly metrics: TickMetrics,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async tick(trigger: string, options: { time_window_hours?: number; dry_run?: boolean } = {}): Promise<TickResult> {
    const tickId = uuidv7();
    const startedAt = new Date();
    const claim = await this.lock.acquire(tickId);
    if ('heldBy' in claim) {
      this.metrics.record('skipped', trigger);
      const summary = `skipped: tick ${claim.heldBy} is running on another replica (one tick runs at a time)`;
      return { tick_id: null, status: 'skipped', trigger, summary, stages: [], plan_id: null, started_at: startedAt.toISOString(), finished_at: new Date().toISOString() };
    }
    try {
      await this.prisma.tick.create({ data: { id: tickId, trigger, status: 'running', startedAt } });
      return await this.run(tickId, trigger, startedAt, options);
    } finally {
      await claim.lock.release();
    }
  }

  private async run(tickId: string, trigger: string, startedAt: Date, options: { time_window_hours?: number; dry_run?: boolean }): Promise<TickResult> {
    const stages: TickStage[] = [];
    let planId: string | null = null;
    let gates: TickResult['gates'];
    const stage = async <T>(name: TickStage['stage'], work: () => Promise<{ value: T; outcome?: StageOutcome; summary: string }>): Promise<T> => {
      const started = performance.now();
      try {
        const { value, outcome = 'done', summary } = await work();
        this.record(stages, name, outcome, started, summary);
        return value;
      } catch (error) {
        this.record(stages, name, error instanceof TickStop ? error.outcome : 'failed', started, (error as Error).message);
        throw error;
      }
    };

    let status: 'succeeded' | 'failed' = 'succeeded';
    let error: string | null = null;
    try {
      const hours = options.time_window_hours ?? this.config.get('TICK_WINDOW_HOURS', { infer: true });
      const findings = await stage('analyze', async () => {
        const { analysis } = await this.analysis.analyze({ time_window_hours: hours });
        const open = analysis.findings.filter((f) => f.status === 'open');
        if (open.length === 0) throw new TickStop('nothing_to_do', `no open findings over the last ${hours} h (${analysis.agents_analyzed} agents analyzed)`);
        return { value: open, summary: `${open.length} open finding(s) of ${analysis.findings.length} over ${analysis.agents_analyzed} agent(s)` };
      });
      const plan = await stage('plan', async () => {
        const { plan: made, skipped } = await this.planning.plan({ finding_ids: findings.map((f) => f.finding_id) }, ACTOR, 'tick');
        if (!made) throw new TickStop('nothing_to_do', `no mutation fits: ${skipped.map((s) => `${s.agent_id} ${s.type}: ${s.reason}`).join('; ')}`);
        planId = made.plan_id;
        return { value: made, summary: `plan ${made.plan_id}: ${made.mutations.map((m) => `${m.type} on ${m.agent_id}`).join(', ')}` };
      });
      await stage('validate', async () => {
        const result = await this.validation.validate(plan.plan_id, ACTOR);
        gates = result.gates;
        const objections = result.gates.filter((g) => g.status !== 'pass').map((g) => `${g.gate}: ${g.reason}`).join('; ');
        if (!result.overall_passed) throw new TickStop('blocked', `blocked by the SPEC gates — ${objections}`);
        if (result.requires_approval) throw new TickStop('blocked', `waiting for approval — ${objections}`);
        return { value: result, summary: 'every gate passed' };
      });
      await stage('execute', async () => {
        const executed = await this.execution.execute({ plan_id: plan.plan_id, dry_run: options.dry_run ?? false }, ACTOR);
        return { value: executed, summary: executed.dry_run ? 'dry run: not queued' : `queued for the orchestrator (job ${executed.job_id})` };
      });
    } catch (caught) {
      if (!(caught instanceof TickStop)) {
        status = 'failed';
        error = (caught as Error).message;
        this.logger.error(`tick ${tickId} failed: ${error}`);
      }
    }
    const finishedAt = new Date();
    const summary = stages.map((s) => `${s.stage}: ${s.summary}`).join(' | ');
    await this.prisma.tick.update({
      where: { id: tickId },
      data: { status, stages: stages as unknown as Prisma.InputJsonValue, summary, error, finishedAt },
    });
    this.metrics.record(status === 'succeeded' ? 'success' : 'failure', trigger, (finishedAt.getTime() - startedAt.getTime()) / 1000);
    return { tick_id: tickId, status, trigger, summary, stages, plan_id: planId, started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(), ...(gates ? { gates } : {}) };
  }

  private record(stages: TickStage[], stage: TickStage['stage'], outcome: StageOutcome, started: number, summary: string): void {
    const durationMs = performance.now() - started;
    stages.push({ stage, outcome, duration_ms: Math.round(durationMs * 10) / 10, summary });
    this.metrics.stageDuration.observe({ stage, outcome }, durationMs / 1000);
  }
}
