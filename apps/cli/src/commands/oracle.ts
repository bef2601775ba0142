import { bool, list, num, positionals, str } from '../args';
import type { Verb } from '../command';
import { UsageError } from '../errors';
import { render, table } from '../format';

interface Finding {
  finding_id: string;
  agent_id: string;
  type: string;
  severity: string;
  status: string;
  confidence: number;
  summary: string;
  last_seen_at?: string;
}

export const findings: Verb = {
  name: 'findings',
  summary: "the analyzer's findings (what is wrong or could be better), newest first",
  usage: [
    'findings [--agent <id>] [--type <type>] [--status <status>] [--severity <s>] [--limit <n>]',
    'findings analyze [--hours <h>] [--baseline-hours <h>] [--agent <id>]...   (run the analyzer now)',
  ],
  options: {
    agent: { type: 'string', value: '<id>', description: 'one agent' },
    type: {
      type: 'string',
      value: '<type>',
      description: 'performance_degradation, dissatisfaction, complaint_burst, …',
    },
    status: {
      type: 'string',
      value: '<status>',
      description: 'open, planned, deferred, resolved, superseded, dismissed',
    },
    severity: { type: 'string', value: '<s>', description: 'low, medium, high, critical' },
    limit: { type: 'string', value: '<n>', description: 'page size (≤ 500)' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
    hours: { type: 'string', value: '<h>', description: 'analyze: the recent window in hours (default 24)' },
    'baseline-hours': { type: 'string', value: '<h>', description: 'analyze: the window it is compared with' },
  },
  notes: 'GET /api/v1/oracle/findings; analyze: POST /api/v1/oracle/analyze (the tick does this on its own).',
  async run(ctx, args) {
    if (args.positionals[0] === 'analyze') {
      positionals(args, ['analyze']);
      const hours = num(args, 'hours', { min: 1 / 60, max: 24 * 90 });
      const baseline = num(args, 'baseline-hours', { min: 1 / 60, max: 24 * 90 });
      const agents = list(args, 'agent');
      const spinner = ctx.progress('analyzing the rollups');
      let answer: {
        analysis: { agents_analyzed: number; tests_run: number; findings: Finding[]; resolved_findings: number };
      };
      try {
        answer = await ctx.oracle.post(
          'api/v1/oracle/analyze',
          {
            ...(hours !== undefined ? { time_window_hours: hours } : {}),
            ...(baseline !== undefined ? { baseline_window_hours: baseline } : {}),
            ...(agents ? { agent_ids: agents } : {}),
          },
          { flags: { time_window_hours: '--hours', baseline_window_hours: '--baseline-hours', agent_ids: '--agent' } },
        );
      } finally {
        spinner.stop();
      }
      const a = answer.analysis;
      ctx.emit(answer, () =>
        [
          `${a.agents_analyzed} agent(s) analyzed, ${a.tests_run} tests, ${a.findings.length} finding(s), ${a.resolved_findings} resolved`,
          a.findings.length > 0 ? findingTable(a.findings) : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      return;
    }
    positionals(args, []);
    const page = await ctx.oracle.get<{ items: Finding[]; next_cursor: string | null }>('api/v1/oracle/findings', {
      query: {
        agent_id: str(args, 'agent'),
        type: str(args, 'type'),
        status: str(args, 'status'),
        severity: str(args, 'severity'),
        limit: num(args, 'limit', { min: 1, max: 500, integer: true }),
        cursor: str(args, 'cursor'),
      },
      flags: { agent_id: '--agent', type: '--type', status: '--status', severity: '--severity' },
    });
    ctx.emit(page, () => (page.items.length === 0 ? 'no findings' : findingTable(page.items)));
  },
};

function findingTable(items: Finding[]): string {
  return table(items, [
    { title: 'FINDING', value: (f) => f.finding_id },
    { title: 'AGENT', value: (f) => f.agent_id },
    { title: 'TYPE', value: (f) => f.type },
    { title: 'SEVERITY', value: (f) => f.severity },
    { title: 'STATUS', value: (f) => f.status },
    { title: 'CONF', value: (f) => f.confidence },
    { title: 'SUMMARY', value: (f) => f.summary },
  ]);
}

interface AuditEntry {
  at?: string;
  created_at?: string;
  actor: string;
  action: string;
  agent_id?: string | null;
  [more: string]: unknown;
}

export const audit: Verb = {
  name: 'audit',
  summary: 'the audit log: who changed what, newest first',
  usage: ['audit [--agent <id>] [--action <action>] [--limit <n>]'],
  options: {
    agent: { type: 'string', value: '<id>', description: 'one agent' },
    action: { type: 'string', value: '<action>', description: 'e.g. rollout.promoted, plan.queued, dataset.built' },
    limit: { type: 'string', value: '<n>', description: 'page size' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
  },
  notes: 'GET /api/v1/oracle/audit.',
  async run(ctx, args) {
    positionals(args, []);
    const page = await ctx.oracle.get<{ items: AuditEntry[]; next_cursor: string | null }>('api/v1/oracle/audit', {
      query: {
        agent_id: str(args, 'agent'),
        action: str(args, 'action'),
        limit: num(args, 'limit', { min: 1, max: 500, integer: true }),
        cursor: str(args, 'cursor'),
      },
      flags: { agent_id: '--agent', action: '--action' },
    });
    ctx.emit(page, () =>
      page.items.length === 0
        ? 'no audit entries'
        : table(page.items, [
            { title: 'AT', value: (e) => e.at ?? e.created_at },
            { title: 'ACTION', value: (e) => e.action },
            { title: 'ACTOR', value: (e) => e.actor },
            { title: 'AGENT', value: (e) => e.agent_id },
            { title: 'TARGET', value: (e) => e['target_id'] ?? e['entity_id'] },
          ]),
    );
  },
};

export const policies: Verb = {
  name: 'policies',
  summary: 'the policy in force (SPEC gates, budgets, canary steps, thresholds) and its version',
  usage: ['policies'],
  options: {},
  notes: 'GET /api/v1/oracle/policies.',
  async run(ctx, args) {
    positionals(args, []);
    const policy = await ctx.oracle.get<unknown>('api/v1/oracle/policies');
    ctx.emit(policy, () => render(policy));
  },
};

interface DeadLetter {
  seq: number;
  subject?: string;
  reason?: string;
  [more: string]: unknown;
}

export const dlq: Verb = {
  name: 'dlq',
  summary: 'dead-lettered feedback messages; replay some or all of them',
  usage: ['dlq [--limit <n>]', 'dlq replay (<seq>... | --all)'],
  options: {
    limit: { type: 'string', value: '<n>', description: 'at most this many' },
    all: { type: 'boolean', description: 'replay: every dead letter' },
  },
  notes: 'GET /api/v1/oracle/dlq, POST /api/v1/oracle/dlq/replay {seqs | all}.',
  async run(ctx, args) {
    const [sub, ...seqs] = args.positionals;
    if (sub === 'replay') {
      if (bool(args, 'all') === seqs.length > 0) throw new UsageError('give sequence numbers or --all', args.verb);
      const numbers = seqs.map((seq) => {
        const n = Number(seq);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`"${seq}" is not a sequence number`, args.verb);
        return n;
      });
      const result = await ctx.oracle.post<unknown>(
        'api/v1/oracle/dlq/replay',
        bool(args, 'all') ? { all: true } : { seqs: numbers },
      );
      ctx.emit(result, () => render(result));
      return;
    }
    positionals(args, []);
    const answer = await ctx.oracle.get<{ items?: DeadLetter[] } & Record<string, unknown>>('api/v1/oracle/dlq', {
      query: { limit: num(args, 'limit', { min: 1, max: 1000, integer: true }) },
    });
    ctx.emit(answer, () => render(answer));
  },
};
