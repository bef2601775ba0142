import type { Report } from '@metaloop/contracts';

type Change = Report['change']['success_rate'];
type Group = Report['top_performers'][number];

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 2) => (v === null ? 'n/a' : v.toFixed(digits));
const p = (v: number) => (v < 0.001 ? '< 0.001' : v.toFixed(3));
const day = (iso: string) => iso.slice(0, 10);
/** A value inside a Markdown table cell: pipes and line breaks would break the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function changeRow(name: string, change: Change, unit: 'points' | 'stars'): string {
  if (!change) return `| ${name} | n/a | | | |`;
  const diff = unit === 'points' ? `${(change.difference * 100).toFixed(1)} points` : `${change.difference.toFixed(2)}`;
  const rel = change.relative_percent === null ? '' : ` (${change.relative_percent.toFixed(1)}%)`;
  return `| ${name} | ${diff}${rel} | ${change.test} | ${p(change.p_value)} | ${change.significant ? 'yes' : 'no'} (α = ${change.alpha}) |`;
}

function groupTable(groups: readonly Group[]): string[] {
  if (groups.length === 0) return ['_None with enough samples._'];
  return [
    '| dimension | value | samples | success rate | mean rating | p-value vs rest | significant |',
    '|---|---|---|---|---|---|---|',
    ...groups.map(
      (g) =>
        `| ${cell(g.dimension)} | ${cell(g.value)} | ${g.samples} | ${pct(g.success_rate)} | ${num(g.mean_rating)} | ` +
        `${g.p_value === null ? 'n/a' : p(g.p_value)} | ${g.significant ? 'yes' : 'no'} |`,
    ),
  ];
}

/** The report as Markdown (seed 003's improvement report). */
export function reportMarkdown(report: Report): string {
  const { current: c, previous: b } = report;
  const title = report.period === 'weekly' ? 'Weekly' : 'Monthly';
  return [
    `# ${title} improvement report ${report.period_id}${report.agent_id ? ` — ${cell(report.agent_id)}` : ''}`,
    '',
    `${day(report.start_date)} to ${day(new Date(Date.parse(report.end_date) - 1).toISOString())} (UTC)` +
      `${report.alert ? ' · **ALERT: success rate dropped**' : ''}`,
    '',
    '## Overview',
    '',
    `| | ${c.period_id} | ${b.period_id} (previous) |`,
    '|---|---|---|',
    `| total feedback | ${c.total_feedback} | ${b.total_feedback} |`,
    `| samples (with a verdict) | ${c.samples} | ${b.samples} |`,
    `| success rate | ${pct(c.success_rate)} | ${pct(b.success_rate)} |`,
    `| mean rating | ${num(c.mean_rating)} | ${num(b.mean_rating)} |`,
    '',
    '## Change vs the previous period',
    '',
    '| metric | change | test | p-value | significant |',
    '|---|---|---|---|---|',
    changeRow('success rate', report.change.success_rate, 'points'),
    changeRow('mean rating', report.change.mean_rating, 'stars'),
    '',
    '## Top performers',
    '',
    ...groupTable(report.top_performers),
    '',
    '## Problem areas',
    '',
    ...groupTable(report.problem_areas),
    '',
    '## Action items',
    '',
    ...report.action_items.map((item) => `- ${item}`),
    '',
    `_Report ${report.report_id}, ${report.trigger === 'schedule' ? 'scheduled' : `requested by ${report.created_by}`}, ${report.created_at}._`,
    '',
  ].join('\n');
}
