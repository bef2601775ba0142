import { bool, num, positionals, str } from '../args';
import type { Verb } from '../command';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { cell, fields, pageTable, table } from '../format';
import { seg } from '../http';

interface TickResult {
  tick_id: string | null;
  status: string;
  summary: string;
  stages: Array<{ stage: string; outcome: string; duration_ms: number; summary: string }>;
  plans: Array<{ plan_id: string; agent_id: string; mutation_type: string; status: string; reason: string | null }>;
  deferred: Array<{ finding_id: string; agent_id: string; reason: string; detail: string }>;
  resolved: number;
}

export const tick: Verb = {
  name: 'tick',
  summary: 'run the loop once now: analyze → plan → validate → execute (single-flight)',
  usage: ['tick [--dry-run] [--window-hours <h>]'],
  options: {
    'dry-run': { type: 'boolean', description: 'validate without handing plans to the orchestrator' },
    'window-hours': {
      type: 'string',
      value: '<h>',
      description: 'hours of feedback to analyze (default TICK_WINDOW_HOURS)',
    },
  },
  notes: 'POST /api/v1/oracle/tick. A tick already running elsewhere answers status skipped.',
  async run(ctx, args) {
    positionals(args, []);
    const window = num(args, 'window-hours', { min: 0.05, max: 720 });
    const body = {
      ...(bool(args, 'dry-run') ? { dry_run: true } : {}),
      ...(window !== undefined ? { time_window_hours: window } : {}),
    };
    const spinner = ctx.progress('tick: analyze → plan → validate → execute');
    let result: TickResult;
    try {
      result = await ctx.oracle.post<TickResult>('api/v1/oracle/tick', Object.keys(body).length ? body : undefined, {
        flags: { time_window_hours: '--window-hours', dry_run: '--dry-run' },
      });
    } finally {
      spinner.stop();
    }
    ctx.emit(result, () =>
      [
        `tick ${result.status}: ${result.summary}`,
        table(
          result.stages,
          [
            { title: 'STAGE', value: (s) => s.stage },
            { title: 'OUTCOME', value: (s) => s.outcome },
            { title: 'MS', value: (s) => Math.round(s.duration_ms) },
            { title: 'SUMMARY', value: (s) => s.summary },
          ],
          90,
        ),
        result.plans.length > 0
          ? `\nplans:\n${table(result.plans, [
              { title: 'PLAN', value: (p) => p.plan_id },
              { title: 'AGENT', value: (p) => p.agent_id },
              { title: 'MUTATION', value: (p) => p.mutation_type },
              { title: 'STATUS', value: (p) => p.status },
              { title: 'REASON', value: (p) => p.reason },
            ])}`
          : '',
        result.deferred.length > 0
          ? `\ndeferred:\n${table(result.deferred, [
              { title: 'FINDING', value: (d) => d.finding_id },
              { title: 'AGENT', value: (d) => d.agent_id },
              { title: 'REASON', value: (d) => d.reason },
              { title: 'DETAIL', value: (d) => d.detail },
            ])}`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
};

interface OracleStatus {
  frozen: boolean;
  freeze_reason: string | null;
  policy: { version: string; loaded_at: string; last_rejected: string | null };
  last_tick: { status: string; summary: string; started_at: string; finished_at: string | null } | null;
  open_findings: Record<string, number>;
  deferred_findings: Record<string, number>;
  plans: Record<string, number>;
  rollouts: { active: number; reverts_pending: number; reverts_failed: number };
  budget: {
    used: { last_hour: number };
    remaining: { per_hour: number; concurrent_rollouts: number };
  };
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

export const status: Verb = {
  name: 'status',
  summary: 'freeze, policy, last tick, open findings, plans, rollouts, budget',
  usage: ['status'],
  options: {},
  notes: 'GET /api/v1/oracle/status.',
  async run(ctx, args) {
    positionals(args, []);
    const s = await ctx.oracle.get<OracleStatus>('api/v1/oracle/status');
    ctx.emit(s, () =>
      fields([
        ['frozen', s.frozen ? `yes (${s.freeze_reason ?? 'no reason given'})` : 'no'],
        ['policy', `${s.policy.version} (loaded ${s.policy.loaded_at})`],
        [
          'last tick',
          s.last_tick ? `${s.last_tick.status} at ${s.last_tick.started_at}: ${s.last_tick.summary}` : 'none yet',
        ],
        ['open findings', counts(s.open_findings)],
        ['deferred', counts(s.deferred_findings)],
        ['plans', counts(s.plans)],
        [
          'rollouts',
          `${s.rollouts.active} active, ${s.rollouts.reverts_pending} reverts pending, ${s.rollouts.reverts_failed} failed`,
        ],
        [
          'budget',
          `${s.budget.used.last_hour} mutations in the last hour, ${s.budget.remaining.per_hour} left; ${s.budget.remaining.concurrent_rollouts} rollout slots free`,
        ],
      ]),
    );
  },
};

interface PlanView {
  plan_id: string;
  status: string;
  source: string;
  confidence: number;
  risk: number;
  rationale: string;
  created_at: string;
  decided_by: string | null;
  decision_reason: string | null;
  mutations: Array<{ mutation_id?: string; agent_id: string; type: string; status?: string; params?: unknown }>;
  validation: Validation | null;
}

interface Validation {
  overall_passed: boolean;
  requires_approval: boolean;
  gates: Array<{ gate: string; status: string; reason: string }>;
}

function renderValidation(v: Validation): string {
  return [
    `validation: ${v.overall_passed ? 'passed' : 'not passed'}${v.requires_approval ? ', needs approval' : ''}`,
    table(
      v.gates,
      [
        { title: 'GATE', value: (g) => g.gate },
        { title: 'STATUS', value: (g) => g.status },
        { title: 'REASON', value: (g) => cell(g.reason) },
      ],
      100,
    ),
  ].join('\n');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const plans: Verb = {
  name: 'plans',
  summary: 'list plans, show one, validate or execute one, approve or reject one awaiting a person',
  usage: [
    'plans [--status <status>] [--agent <id>] [--limit <n>] [--cursor <c>]',
    'plans <plan_id>',
    'plans validate <plan_id>',
    'plans execute <plan_id> [--dry-run]',
    'plans approve <plan_id> [--reason <text>]',
    'plans reject <plan_id> [--reason <text>]',
  ],
  options: {
    status: {
      type: 'string',
      value: '<status>',
      description: 'draft, validated, awaiting_approval, queued, completed, …',
    },
    agent: { type: 'string', value: '<id>', description: "only this agent's plans" },
    limit: { type: 'string', value: '<n>', description: 'page size' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
    reason: { type: 'string', value: '<text>', description: 'approve/reject: why (audited)' },
    'dry-run': { type: 'boolean', description: 'execute: check the gates again without queuing' },
  },
  notes:
    'GET /api/v1/oracle/plans[/{id}], POST /api/v1/oracle/validate {plan_id} (exit 3 when the gates do not pass), ' +
    'POST /api/v1/oracle/execute {plan_id, dry_run} (exit 3 when the gates refuse), POST /api/v1/oracle/plans/{id}/approve|reject.',
  async run(ctx, args) {
    const [first] = args.positionals;
    if (first === 'validate') {
      const [, planId] = positionals(args, ['validate', 'plan_id']);
      const result = await ctx.oracle.post<Validation>('api/v1/oracle/validate', { plan_id: planId });
      ctx.emit(result, () => renderValidation(result));
      return result.overall_passed ? EXIT.ok : EXIT.refused;
    }
    if (first === 'execute') {
      const [, planId] = positionals(args, ['execute', 'plan_id']);
      const result = await ctx.oracle.post<{
        plan_id: string;
        status: string;
        dry_run: boolean;
        job_id: string | null;
        validation: Validation;
      }>('api/v1/oracle/execute', { plan_id: planId, dry_run: bool(args, 'dry-run') });
      ctx.emit(result, () =>
        [
          result.dry_run
            ? `dry run: plan ${result.plan_id} would be handed to the orchestrator (${result.status})`
            : `plan ${result.plan_id} ${result.status}${result.job_id ? ` (job ${result.job_id})` : ''}`,
          renderValidation(result.validation),
        ].join('\n'),
      );
      return;
    }
    if (first === 'approve' || first === 'reject') {
      const [, planId] = positionals(args, [first, 'plan_id']);
      const reason = str(args, 'reason');
      const plan = await ctx.oracle.post<PlanView>(
        `api/v1/oracle/plans/${seg(planId!)}/${first}`,
        reason ? { reason } : {},
        {
          flags: { reason: '--reason' },
        },
      );
      ctx.emit(plan, () => `${first === 'approve' ? 'approved' : 'rejected'} plan ${plan.plan_id}: now ${plan.status}`);
      return;
    }
    if (first) {
      positionals(args, ['plan_id']);
      if (!UUID.test(first))
        throw new UsageError(`"${first}" is not a plan id (a UUID), validate, execute, approve or reject`, args.verb);
      const plan = await ctx.oracle.get<PlanView>(`api/v1/oracle/plans/${seg(first)}`);
      ctx.emit(plan, () => renderPlan(plan));
      return;
    }
    const page = await ctx.oracle.get<{ items: PlanView[]; next_cursor: string | null }>('api/v1/oracle/plans', {
      query: {
        status: str(args, 'status'),
        agent_id: str(args, 'agent'),
        limit: num(args, 'limit', { min: 1, max: 500, integer: true }),
        cursor: str(args, 'cursor'),
      },
      flags: { status: '--status', agent_id: '--agent', limit: '--limit', cursor: '--cursor' },
    });
    ctx.emit(page, () =>
      pageTable(
        page,
        [
          { title: 'PLAN', value: (p) => p.plan_id },
          { title: 'STATUS', value: (p) => p.status },
          { title: 'AGENTS', value: (p) => [...new Set(p.mutations.map((m) => m.agent_id))].join(',') },
          { title: 'MUTATIONS', value: (p) => p.mutations.map((m) => m.type).join(',') },
          { title: 'CONF', value: (p) => p.confidence },
          { title: 'RISK', value: (p) => p.risk },
          { title: 'CREATED', value: (p) => p.created_at },
        ],
        'no plans',
      ),
    );
  },
};

function renderPlan(plan: PlanView): string {
  const out = [
    fields([
      ['plan', plan.plan_id],
      ['status', plan.status],
      ['source', plan.source],
      ['confidence', plan.confidence],
      ['risk', plan.risk],
      ['created', plan.created_at],
      [
        'decided by',
        plan.decided_by ? `${plan.decided_by}${plan.decision_reason ? ` (${plan.decision_reason})` : ''}` : undefined,
      ],
      ['rationale', plan.rationale],
    ]),
  ];
  if (plan.mutations.length > 0) {
    out.push(
      '',
      table(plan.mutations, [
        { title: 'AGENT', value: (m) => m.agent_id },
        { title: 'TYPE', value: (m) => m.type },
        { title: 'STATUS', value: (m) => m.status },
        { title: 'PARAMS', value: (m) => m.params },
      ]),
    );
  }
  if (plan.validation) out.push('', renderValidation(plan.validation));
  return out.join('\n');
}
