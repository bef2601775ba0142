import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { list, num, oneOf, positionals, str } from '../args';
import type { Context, Verb } from '../command';
import { UsageError } from '../errors';
import { cell, fields, percent, table, truncate } from '../format';
import { seg } from '../http';

const PERIODS = ['weekly', 'monthly'] as const;

/** Seed 003's `--analyze`: success rate and what works, by tag, model, prompt version, context keys. */
export const analyze: Verb = {
  name: 'analyze',
  summary: 'feedback patterns: success rate, counts, performance by tag/model/prompt/framework, recommendations',
  usage: ['analyze [--days <n>] [--min-samples <n>] [--agent <id>] [--context-key <key>]...'],
  options: {
    days: { type: 'string', value: '<n>', description: 'days of feedback to analyze (default 7)' },
    'min-samples': {
      type: 'string',
      value: '<n>',
      description: 'fewer samples is a refusal, not a report (default 5)',
    },
    agent: { type: 'string', value: '<id>', description: 'one agent only' },
    'context-key': {
      type: 'string',
      multiple: true,
      value: '<key>',
      description: 'also break down by this context key (repeatable; framework is always included)',
    },
  },
  notes: 'POST /api/v1/oracle/patterns. Too few samples answers 422 naming how many there are and are needed (exit 1).',
  async run(ctx, args) {
    positionals(args, []);
    const body = {
      days: num(args, 'days', { min: 0.01, max: 366 }) ?? 7,
      min_samples: num(args, 'min-samples', { min: 1, integer: true }) ?? 5,
      ...(str(args, 'agent') ? { agent_id: str(args, 'agent') } : {}),
      ...(list(args, 'context-key') ? { context_keys: list(args, 'context-key') } : {}),
    };
    const answer = await ctx.oracle.post<Record<string, unknown>>('api/v1/oracle/patterns', body, {
      flags: { days: '--days', min_samples: '--min-samples', agent_id: '--agent', context_keys: '--context-key' },
    });
    ctx.emit(answer, () => renderPatterns(answer as Patterns));
  },
};

interface Group {
  value: string;
  samples: number;
  positive: number;
  negative: number;
  success_rate: number | null;
  mean_rating: number | null;
  p_value: number | null;
  significant: boolean;
}
interface Feature {
  feature: string;
  share_of_successes: number;
  share_of_failures: number;
  p_value: number;
}
interface Patterns {
  window?: { from: string; to: string };
  agent_id?: string | null;
  events?: number;
  samples?: number;
  positive?: number;
  negative?: number;
  success_rate?: number | null;
  mean_rating?: number | null;
  by_tag?: Group[];
  by_model?: Group[];
  by_prompt_version?: Group[];
  by_context?: Record<string, Group[]>;
  success_features?: Feature[];
  failure_features?: Feature[];
  recommendations?: string[];
}

/** A p-value as people read it: 0.0123, or < 0.001. */
export function pValue(p: number | null | undefined): string | undefined {
  if (p === null || p === undefined) return undefined;
  return p < 0.001 ? '< 0.001' : String(Number(p.toPrecision(2)));
}

function round(value: number | null | undefined, digits: number): number | undefined {
  return value === null || value === undefined ? undefined : Number(value.toFixed(digits));
}

const groupTable = (groups: Group[]) =>
  table(groups, [
    { title: 'VALUE', value: (g) => g.value },
    { title: 'SAMPLES', value: (g) => g.samples },
    { title: 'SUCCESS', value: (g) => percent(g.success_rate) },
    { title: 'RATING', value: (g) => round(g.mean_rating, 2) },
    { title: 'P', value: (g) => pValue(g.p_value) },
    { title: 'SIGNIFICANT', value: (g) => (g.significant ? 'yes' : '') },
  ]);

const featureTable = (features: Feature[]) =>
  table(features, [
    { title: 'FEATURE', value: (f) => f.feature },
    { title: 'OF SUCCESSES', value: (f) => percent(f.share_of_successes) },
    { title: 'OF FAILURES', value: (f) => percent(f.share_of_failures) },
    { title: 'P (BH)', value: (f) => pValue(f.p_value) },
  ]);

export function renderPatterns(p: Patterns): string {
  const sections: string[] = [
    fields([
      ['window', p.window ? `${p.window.from} → ${p.window.to}` : undefined],
      ['agent', p.agent_id ?? 'all agents'],
      ['feedback', p.events],
      ['samples', `${cell(p.samples)} (${cell(p.positive)} positive, ${cell(p.negative)} negative)`],
      ['success rate', percent(p.success_rate)],
      ['mean rating', round(p.mean_rating, 2)],
    ]),
  ];
  const groups: Array<[string, Group[] | undefined]> = [
    ['by tag', p.by_tag],
    ['by model', p.by_model],
    ['by prompt version', p.by_prompt_version],
    ...Object.entries(p.by_context ?? {}).map(([key, list]): [string, Group[]] => [`by context.${key}`, list]),
  ];
  for (const [title, list] of groups)
    if (list && list.length > 0) sections.push(`${title}:\n${indent(groupTable(list))}`);
  if (p.success_features?.length) sections.push(`common in successes:\n${indent(featureTable(p.success_features))}`);
  if (p.failure_features?.length) sections.push(`common in failures:\n${indent(featureTable(p.failure_features))}`);
  if (p.recommendations?.length)
    sections.push(`recommendations:\n${p.recommendations.map((r) => `  - ${r}`).join('\n')}`);
  return sections.join('\n\n');
}

interface ChangeTest {
  difference: number;
  p_value: number;
  significant: boolean;
}
interface Report {
  report_id: string;
  period?: string;
  period_id?: string;
  agent_id?: string | null;
  current?: { total_feedback: number; success_rate: number | null };
  change?: { success_rate: ChangeTest | null };
  alert?: boolean;
  created_at?: string;
}

/** "-4.2 pts (p 0.031, significant)" */
function changeText(change: ChangeTest | null | undefined): string | undefined {
  if (!change) return undefined;
  const points = (change.difference * 100).toFixed(1);
  return `${change.difference >= 0 ? '+' : ''}${points} pts (p ${pValue(change.p_value)}${change.significant ? ', significant' : ''})`;
}

/** Seed 003's `--report`: weekly or monthly, generated now, as Markdown or JSON. */
export const report: Verb = {
  name: 'report',
  summary: 'weekly/monthly improvement report: generate (Markdown or JSON, --output FILE), list, show',
  usage: [
    'report --period weekly|monthly [--period-id 2026-W49|2026-12] [--agent <id>] [--output r.md|r.json]',
    'report list [--period weekly|monthly] [--agent <id>] [--limit <n>]',
    'report show <report_id> [--output r.md|r.json]',
  ],
  options: {
    period: { type: 'string', value: '<weekly|monthly>', description: 'the period (default weekly)' },
    'period-id': {
      type: 'string',
      value: '<id>',
      description: 'ISO week 2026-W49 or month 2026-12 (default: the last full one)',
    },
    agent: { type: 'string', value: '<id>', description: 'one agent only' },
    output: { type: 'string', value: '<file>', description: '.md writes Markdown, .json writes the JSON report' },
    limit: { type: 'string', value: '<n>', description: 'list: at most this many' },
  },
  notes: 'POST /api/v1/reports (201 JSON), GET /api/v1/reports/{id} with Accept: text/markdown for Markdown.',
  async run(ctx, args) {
    const [sub, id] = args.positionals;
    if (sub === 'list') {
      positionals(args, ['list']);
      const answer = await ctx.oracle.get<{ items: Report[] }>('api/v1/reports', {
        query: {
          period: oneOf(args, 'period', PERIODS),
          agent_id: str(args, 'agent'),
          limit: num(args, 'limit', { min: 1, max: 200, integer: true }),
        },
      });
      ctx.emit(answer, () =>
        answer.items.length === 0
          ? 'no reports yet (metaloop report --period weekly makes one)'
          : table(answer.items, [
              { title: 'REPORT', value: (r) => r.report_id },
              { title: 'PERIOD', value: (r) => r.period },
              { title: 'ID', value: (r) => r.period_id },
              { title: 'AGENT', value: (r) => r.agent_id ?? 'all' },
              { title: 'FEEDBACK', value: (r) => r.current?.total_feedback },
              { title: 'SUCCESS', value: (r) => percent(r.current?.success_rate) },
              { title: 'CHANGE', value: (r) => changeText(r.change?.success_rate) },
              { title: 'ALERT', value: (r) => (r.alert ? 'yes' : '') },
              { title: 'CREATED', value: (r) => r.created_at },
            ]),
      );
      return;
    }
    if (sub === 'show') {
      positionals(args, ['show', 'report_id']);
      return writeOrPrint(
        ctx,
        args.verb,
        id!,
        await ctx.oracle.get<Report>(`api/v1/reports/${seg(id!)}`),
        str(args, 'output'),
      );
    }
    positionals(args, []);
    const output = str(args, 'output');
    formatOf(args.verb, output); // refuse a bad extension before the report is made
    const period = oneOf(args, 'period', PERIODS) ?? 'weekly';
    const spinner = ctx.progress(`generating the ${period} report`);
    let made: Report;
    try {
      made = await ctx.oracle.post<Report>(
        'api/v1/reports',
        {
          period,
          ...(str(args, 'period-id') ? { period_id: str(args, 'period-id') } : {}),
          ...(str(args, 'agent') ? { agent_id: str(args, 'agent') } : {}),
        },
        { flags: { period: '--period', period_id: '--period-id', agent_id: '--agent' } },
      );
    } finally {
      spinner.stop();
    }
    await writeOrPrint(ctx, args.verb, made.report_id, made, output);
  },
};

function formatOf(verb: string, output: string | undefined): 'markdown' | 'json' | undefined {
  if (!output) return undefined;
  const ext = extname(output).toLowerCase();
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.json') return 'json';
  throw new UsageError(`--output: name a .md (Markdown) or .json file, got "${output}"`, verb);
}

async function writeOrPrint(ctx: Context, verb: string, id: string, report: Report, output: string | undefined) {
  const format = formatOf(verb, output);
  const markdown = () => ctx.oracle.text(`api/v1/reports/${seg(id)}`, 'text/markdown');
  if (!output) {
    if (ctx.json) ctx.print(JSON.stringify(report, null, 2));
    else ctx.print((await markdown()).trimEnd());
    return;
  }
  const path = resolve(ctx.cwd, output);
  const content = format === 'markdown' ? await markdown() : `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(path, content);
  ctx.emit(
    { report_id: id, file: path, format, report },
    () =>
      `wrote ${output} (${format === 'markdown' ? 'Markdown' : 'JSON'}): ${cell(report.period)} report ${cell(report.period_id)}, report_id ${id}`,
  );
}

interface Suggestion {
  suggestion_id: string;
  agent_id: string;
  area: string;
  area_kind?: string;
  problem: string | { events: number; negatives: number; negative_rate: number; agent_negative_rate?: number };
  suggestion: string;
  prompt_patch?: string;
  source: string;
  candidate_id?: string | null;
}

function problemText(problem: Suggestion['problem']): string {
  if (typeof problem === 'string') return problem;
  return `${problem.negatives} of ${problem.events} judged events negative (${percent(problem.negative_rate)}${
    problem.agent_negative_rate !== undefined ? `; the agent overall ${percent(problem.agent_negative_rate)}` : ''
  })`;
}

/** Seed 003's `--suggest`: concrete prompt changes for the worst areas; `--register` makes one a candidate. */
export const suggest: Verb = {
  name: 'suggest',
  summary: 'prompt improvement suggestions for the worst areas; --register ID makes one a prompt candidate',
  usage: [
    'suggest [--framework <name>] [--limit <n>] [--days <n>] [--agent <id>]',
    'suggest list [--agent <id>] [--limit <n>]',
    'suggest --register <suggestion_id>',
  ],
  options: {
    framework: { type: 'string', value: '<name>', description: 'only feedback with this context.framework' },
    limit: { type: 'string', value: '<n>', description: 'at most this many suggestions (default 5)' },
    days: { type: 'string', value: '<n>', description: 'days of feedback to look at (default 7)' },
    agent: { type: 'string', value: '<id>', description: 'one agent only' },
    register: {
      type: 'string',
      value: '<suggestion_id>',
      description: 'register this suggestion as a prompt candidate of its agent, so the loop can test it',
    },
  },
  notes:
    'POST /api/v1/oracle/suggestions (stored); list: GET /api/v1/oracle/suggestions; --register: POST /api/v1/oracle/suggestions/{id}/candidate.',
  async run(ctx, args) {
    const listing = args.positionals[0] === 'list';
    positionals(args, listing ? ['list'] : []);
    const register = str(args, 'register');
    if (register) {
      const made = await ctx.oracle.post<Record<string, unknown>>(
        `api/v1/oracle/suggestions/${seg(register)}/candidate`,
        {},
      );
      const candidate = (made['candidate'] ?? made) as Record<string, unknown>;
      ctx.emit(made, () =>
        [
          `registered suggestion ${register} as a prompt candidate`,
          fields([
            ['agent', candidate['agent_id']],
            ['type', candidate['type']],
            ['version', candidate['key'] ?? candidate['version']],
            ['candidate_id', candidate['candidate_id']],
          ]),
          'the next tick may propose it (metaloop tick), through the SPEC gates and a canary',
        ].join('\n'),
      );
      return;
    }
    const body = {
      days: num(args, 'days', { min: 0.01, max: 90 }) ?? 7,
      ...(num(args, 'limit', { min: 1, max: 50, integer: true }) !== undefined
        ? { limit: num(args, 'limit', { integer: true }) }
        : {}),
      ...(str(args, 'framework') ? { framework: str(args, 'framework') } : {}),
      ...(str(args, 'agent') ? { agent_id: str(args, 'agent') } : {}),
    };
    const answer = listing
      ? await ctx.oracle.get<{ items: Suggestion[] }>('api/v1/oracle/suggestions', {
          query: { agent_id: str(args, 'agent'), limit: num(args, 'limit', { min: 1, max: 200, integer: true }) },
        })
      : await ctx.oracle.post<{ items: Suggestion[] }>('api/v1/oracle/suggestions', body, {
          flags: { days: '--days', limit: '--limit', framework: '--framework', agent_id: '--agent' },
        });
    ctx.emit(answer, () =>
      answer.items.length === 0
        ? 'no suggestions: nothing in the window stands out as a problem'
        : answer.items
            .map((s, i) =>
              [
                `${i + 1}. ${s.area_kind ? `${s.area_kind} ` : ''}${s.area} (agent ${s.agent_id}, ${s.source})`,
                `   problem:      ${problemText(s.problem)}`,
                `   suggestion:   ${truncate(s.suggestion, 200)}`,
                ...(s.prompt_patch ? [`   prompt patch: ${truncate(s.prompt_patch, 200)}`] : []),
                s.candidate_id
                  ? `   registered:   candidate ${s.candidate_id}`
                  : `   register:     metaloop suggest --register ${s.suggestion_id}`,
              ].join('\n'),
            )
            .join('\n\n'),
    );
  },
};

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
