import { bool, num, positionals, str } from '../args';
import type { Context, Verb } from '../command';
import { UsageError } from '../errors';
import { fields, pageTable, table } from '../format';
import { seg } from '../http';

interface RolloutView {
  rollout_id: string;
  agent_id: string;
  status: string;
  weight: number;
  step_index: number;
  steps: number[];
  mutation_type: string;
  rollback_key: string;
  revert_status: string;
  status_reason: string | null;
  stable_revision_id: string;
  candidate_revision_id: string;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
}
interface Decision {
  decision_id: string;
  at: string;
  step_index: number;
  weight: number;
  action: string;
  reason: string;
}
type RolloutDetail = RolloutView & { decisions: Decision[] };

/** A rollout in one of these is over: following it ends. */
export const TERMINAL_ROLLOUT_STATUSES = ['promoted', 'rolled_back', 'retired', 'failed'];

const rolloutColumns = [
  { title: 'ROLLOUT', value: (r: RolloutView) => r.rollout_id },
  { title: 'AGENT', value: (r: RolloutView) => r.agent_id },
  { title: 'TYPE', value: (r: RolloutView) => r.mutation_type },
  { title: 'STATUS', value: (r: RolloutView) => r.status },
  { title: 'WEIGHT', value: (r: RolloutView) => `${r.weight} %` },
  { title: 'STEP', value: (r: RolloutView) => `${r.step_index + 1}/${r.steps.length}` },
  { title: 'ROLLBACK KEY', value: (r: RolloutView) => r.rollback_key },
  { title: 'CREATED', value: (r: RolloutView) => r.created_at },
];

export const rollouts: Verb = {
  name: 'rollouts',
  summary: 'list rollouts, show one with its decisions, or --follow it until it ends',
  usage: [
    'rollouts [--agent <id>] [--status <status>] [--limit <n>]',
    'rollouts <rollout_id> [--follow] [--interval <s>]',
  ],
  options: {
    agent: { type: 'string', value: '<id>', description: "only this agent's rollouts" },
    status: {
      type: 'string',
      value: '<status>',
      description: 'pending, running, paused, promoted, rolled_back, retired, failed',
    },
    limit: { type: 'string', value: '<n>', description: 'page size' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
    follow: {
      type: 'boolean',
      short: 'f',
      description: 'poll until promoted, rolled back, retired or failed, printing each decision',
    },
    interval: { type: 'string', value: '<s>', description: '--follow: seconds between looks (default 2)' },
  },
  notes:
    'GET /api/v1/oracle/rollouts[/{id}]. --follow exits 0 once the rollout has ended, whatever the outcome (see its status).',
  async run(ctx, args) {
    const [id] = positionals(args, [], ['rollout_id']);
    if (!id) {
      if (bool(args, 'follow')) throw new UsageError('--follow needs a rollout id', args.verb);
      const page = await ctx.oracle.get<{ items: RolloutView[]; next_cursor: string | null }>(
        'api/v1/oracle/rollouts',
        {
          query: {
            agent_id: str(args, 'agent'),
            status: str(args, 'status'),
            limit: num(args, 'limit', { min: 1, max: 500, integer: true }),
            cursor: str(args, 'cursor'),
          },
          flags: { agent_id: '--agent', status: '--status', limit: '--limit', cursor: '--cursor' },
        },
      );
      ctx.emit(page, () => pageTable(page, rolloutColumns, 'no rollouts'));
      return;
    }
    const path = `api/v1/oracle/rollouts/${seg(id)}`;
    if (!bool(args, 'follow')) {
      const detail = await ctx.oracle.get<RolloutDetail>(path);
      ctx.emit(detail, () => renderRollout(detail));
      return;
    }
    const interval = (num(args, 'interval', { min: 0.1, max: 600 }) ?? 2) * 1000;
    await follow(ctx, path, interval);
  },
};

async function follow(ctx: Context, path: string, intervalMs: number): Promise<void> {
  const seen = new Set<string>();
  const spinner = ctx.progress('following the rollout');
  let detail: RolloutDetail;
  try {
    for (;;) {
      detail = await ctx.oracle.get<RolloutDetail>(path);
      for (const decision of detail.decisions) {
        if (seen.has(decision.decision_id)) continue;
        seen.add(decision.decision_id);
        if (!ctx.json && decision.action !== 'continue') {
          spinner.stop();
          ctx.print(
            `${decision.at}  step ${decision.step_index + 1}  ${decision.weight} %  ${decision.action}: ${decision.reason}`,
          );
        }
      }
      if (TERMINAL_ROLLOUT_STATUSES.includes(detail.status)) break;
      const stepFraction = detail.steps.length > 0 ? (detail.step_index + 1) / detail.steps.length : 0;
      spinner.update(
        `${detail.agent_id} ${detail.status}, step ${detail.step_index + 1}/${detail.steps.length} at ${detail.weight} %`,
        stepFraction,
      );
      await ctx.sleep(intervalMs);
    }
  } finally {
    spinner.stop();
  }
  ctx.emit(
    detail,
    () => `rollout ${detail.rollout_id} ${detail.status}${detail.status_reason ? `: ${detail.status_reason}` : ''}`,
  );
}

function renderRollout(r: RolloutDetail): string {
  return [
    fields([
      ['rollout', r.rollout_id],
      ['agent', r.agent_id],
      ['mutation', r.mutation_type],
      ['status', `${r.status}${r.status_reason ? ` (${r.status_reason})` : ''}`],
      ['weight', `${r.weight} % (step ${r.step_index + 1} of ${r.steps.join(' → ')} %)`],
      ['stable', r.stable_revision_id],
      ['candidate', r.candidate_revision_id],
      ['rollback key', r.rollback_key],
      ['revert', r.revert_status],
      ['started', r.started_at],
      ['finished', r.finished_at],
    ]),
    '',
    r.decisions.length === 0
      ? 'no decisions yet'
      : table(
          r.decisions,
          [
            { title: 'AT', value: (d) => d.at },
            { title: 'STEP', value: (d) => d.step_index + 1 },
            { title: 'WEIGHT', value: (d) => `${d.weight} %` },
            { title: 'ACTION', value: (d) => d.action },
            { title: 'REASON', value: (d) => d.reason },
          ],
          100,
        ),
  ].join('\n');
}

interface RollbackResult {
  rolled_back: RolloutView[];
  already_finished: string[];
}

export const rollback: Verb = {
  name: 'rollback',
  summary: 'emergency rollback: routing back on stable at once (by key, rollout, agent or all)',
  usage: ['rollback (--key <rollback_key> | --rollout <id> | --agent <id> | --all) [--reason <text>] [--emergency]'],
  options: {
    key: { type: 'string', value: '<rollback_key>', description: "the rollout's rollback key" },
    rollout: { type: 'string', value: '<id>', description: 'the rollout id' },
    agent: { type: 'string', value: '<id>', description: "the agent's live rollout" },
    all: { type: 'boolean', description: 'every live rollout' },
    reason: { type: 'string', value: '<text>', description: 'why (audited)' },
    emergency: { type: 'boolean', description: 'mark it an emergency (audited)' },
  },
  notes: 'POST /api/v1/oracle/rollback; works with the orchestrator stopped. A selector naming nothing exits 4.',
  async run(ctx, args) {
    positionals(args, []);
    const selectors = {
      ...(str(args, 'key') ? { rollback_key: str(args, 'key') } : {}),
      ...(str(args, 'rollout') ? { rollout_id: str(args, 'rollout') } : {}),
      ...(str(args, 'agent') ? { agent_id: str(args, 'agent') } : {}),
      ...(bool(args, 'all') ? { all: true } : {}),
    };
    if (Object.keys(selectors).length !== 1) {
      throw new UsageError('give exactly one of --key, --rollout, --agent or --all', args.verb);
    }
    const reason = str(args, 'reason');
    const result = await ctx.oracle.post<RollbackResult>(
      'api/v1/oracle/rollback',
      { ...selectors, emergency: bool(args, 'emergency'), ...(reason ? { reason } : {}) },
      {
        flags: {
          rollback_key: '--key',
          rollout_id: '--rollout',
          agent_id: '--agent',
          all: '--all',
          reason: '--reason',
        },
      },
    );
    ctx.emit(result, () =>
      [
        result.rolled_back.length === 0
          ? 'nothing to roll back'
          : `rolled back ${result.rolled_back.length}: routing is on stable\n${table(result.rolled_back, [
              rolloutColumns[0]!,
              rolloutColumns[1]!,
              rolloutColumns[2]!,
              rolloutColumns[3]!,
              { title: 'REVERT', value: (r: RolloutView) => r.revert_status },
            ])}`,
        result.already_finished.length > 0 ? `already finished: ${result.already_finished.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
};

interface FreezeResponse {
  frozen: boolean;
  reason: string | null;
  updated_by: string | null;
  in_flight: string;
  rolled_back: RolloutView[];
}

function freezeVerb(frozen: boolean): Verb {
  return {
    name: frozen ? 'freeze' : 'unfreeze',
    summary: frozen ? 'stop new rollouts and further canary steps' : 'lift the freeze',
    usage: [`${frozen ? 'freeze' : 'unfreeze'} [--reason <text>]`],
    options: { reason: { type: 'string', value: '<text>', description: 'why (audited)' } },
    notes: 'POST /api/v1/oracle/freeze.',
    async run(ctx, args) {
      positionals(args, []);
      const reason = str(args, 'reason');
      const state = await ctx.oracle.post<FreezeResponse>(
        'api/v1/oracle/freeze',
        { frozen, ...(reason ? { reason } : {}) },
        { flags: { reason: '--reason' } },
      );
      ctx.emit(state, () =>
        [
          state.frozen
            ? `frozen${state.reason ? ` (${state.reason})` : ''}: no new rollouts; running canaries ${state.in_flight === 'rollback' ? 'are rolled back' : 'hold'}`
            : 'not frozen: rollouts and steps go on',
          state.rolled_back.length > 0 ? `rolled back: ${state.rolled_back.map((r) => r.rollout_id).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    },
  };
}

export const freeze = freezeVerb(true);
export const unfreeze = freezeVerb(false);
