import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { list, num, oneOf, positionals, str } from '../args';
import type { Context, Verb } from '../command';
import { UsageError } from '../errors';
import { cell, fields, percent, render, table, truncate } from '../format';
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
      days: num(args, 'days', { min: 1, max: 366, integer: true }) ?? 7,
      min_samples: num(args, 'min-samples', { min: 1, integer: true }) ?? 5,
      ...(str(args, 'agent') ? { agent_id: str(args, 'agent') } : {}),
      ...(list(args, 'context-key') ? { context_keys: list(args, 'context-key') } : {}),
    };
    const answer = await ctx.oracle.post<Record<string, unknown>>('api/v1/oracle/patterns', body, {
      flags: { days: '--days', min_samples: '--min-samples', agent_id: '--agent', context_keys: '--context-key' },
    });
    ctx.emit(answer, () => renderPatterns((answer['patterns'] ?? answer) as Record<string, unknown>));
  },
};

function renderPatterns(patterns: Record<string, unknown>): string {
  const headline: Array<[string, unknown]> = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patterns)) {
    if (key === 'success_rate') headline.push([key, percent(value)]);
    else if (value === null || typeof value !== 'object') headline.push([key, value]);
    else rest[key] = value;
  }
  const sections = Object.entries(rest).map(([key, value]) => {
    // `by_tag: {tag: {count, success_rate, …}}` reads best as a table with the key as first column.
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const rows = Object.entries(value as Record<string, unknown>);
      if (rows.length > 0 && rows.every(([, v]) => v && typeof v === 'object' && !Array.isArray(v))) {
        const keys = [...new Set(rows.flatMap(([, v]) => Object.keys(v as object)))].slice(0, 7);
        return `${key}:\n${indent(
          table(rows, [
            { title: 'VALUE', value: ([name]) => name },
            ...keys.map((k) => ({
              title: k.toUpperCase(),
              value: ([, v]: [string, unknown]) => {
                const x = (v as Record<string, unknown>)[k];
                return /rate|share/.test(k) && typeof x === 'number' ? percent(x) : x;
              },
            })),
          ]),
        )}`;
      }
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      return `${key}:\n${value.map((line) => `  - ${line as string}`).join('\n') || '  (none)'}`;
    }
    return `${key}:\n${render(value, '  ')}`;
  });
  return [fields(headline), ...sections].filter(Boolean).join('\n\n');
}

interface Report {
  report_id: string;
  period?: string;
  period_id?: string;
  [key: string]: unknown;
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
              { title: 'AGENT', value: (r) => r['agent_id'] },
              { title: 'FEEDBACK', value: (r) => r['total_feedback'] },
              { title: 'SUCCESS', value: (r) => percent(r['success_rate']) },
              { title: 'CREATED', value: (r) => r['created_at'] ?? r['generated_at'] },
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
  problem: string;
  suggestion: string;
  prompt_patch?: unknown;
  source: string;
}

/** Seed 003's `--suggest`: concrete prompt changes for the worst areas; `--register` makes one a candidate. */
export const suggest: Verb = {
  name: 'suggest',
  summary: 'prompt improvement suggestions for the worst areas; --register ID makes one a prompt candidate',
  usage: [
    'suggest [--framework <name>] [--limit <n>] [--days <n>] [--agent <id>]',
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
  notes: 'POST /api/v1/oracle/suggestions; --register: POST /api/v1/oracle/suggestions/{id}/candidate.',
  async run(ctx, args) {
    positionals(args, []);
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
      days: num(args, 'days', { min: 1, max: 366, integer: true }) ?? 7,
      ...(num(args, 'limit', { min: 1, max: 100, integer: true }) !== undefined
        ? { limit: num(args, 'limit', { integer: true }) }
        : {}),
      ...(str(args, 'framework') ? { framework: str(args, 'framework') } : {}),
      ...(str(args, 'agent') ? { agent_id: str(args, 'agent') } : {}),
    };
    const answer = await ctx.oracle.post<{ items: Suggestion[] }>('api/v1/oracle/suggestions', body, {
      flags: { days: '--days', limit: '--limit', framework: '--framework', agent_id: '--agent' },
    });
    ctx.emit(answer, () =>
      answer.items.length === 0
        ? 'no suggestions: nothing in the window stands out as a problem'
        : answer.items
            .map((s, i) =>
              [
                `${i + 1}. ${s.area} (agent ${s.agent_id}, ${s.source})`,
                `   problem:    ${truncate(s.problem, 200)}`,
                `   suggestion: ${truncate(s.suggestion, 200)}`,
                `   register:   metaloop suggest --register ${s.suggestion_id}`,
              ].join('\n'),
            )
            .join('\n\n'),
    );
  },
};

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
