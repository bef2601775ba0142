import type { EfficacyReport } from './efficacy-report';
import { percent, seconds, type Spread } from './figures';

/** The report as the terminal shows it: the figures, then a PASS/FAIL line per goal. */
export function renderText(r: EfficacyReport): string {
  const p = r.policy;
  const lines = [
    `metaloop efficacy — seed ${r.run.seed}, ${r.run.agents} agents, ${r.run.minutes} min of traffic at ${r.run.targetRate} sessions/s (mean, feedback ${r.run.feedback === 'bulk' ? 'batched' : 'one request per session'}), a tick every ${r.run.tickSeconds} s over ${r.run.windowHours} h; wall time ${Math.round(r.run.wallSeconds)} s`,
    `policy: steps ${p.steps.join('→')} %, a look every ${p.analysis_interval_seconds} s, ${p.min_samples_per_arm} samples per arm, ≤ ${p.max_step_duration_minutes} min a step, on_inconclusive ${p.on_inconclusive ?? '?'}, cooldown ${p.cooldown_minutes} min, ${p.mutations_per_hour} mutations/h, ${p.max_concurrent_rollouts} rollouts at once`,
    `fleet: ${r.fleet.needy} needy (${Object.entries(r.fleet.candidates)
      .map(([k, v]) => `${v} ${k}`)
      .join(
        ', ',
      )} candidates), ${r.fleet.fine} fine, ${r.fleet.learnable} learnable (nothing registered), ${r.fleet.regressions} regression(s) injected mid-run; ${r.fleet.withArtifacts} agents send query and answer with their feedback`,
    `registration: ${r.registration.agents} agents; ${r.registration.notReadableAtOnce} not readable on feedback-api right after the 201; served after ${ms(r.registration.readableAfterMs)}`,
    `traffic: ${r.traffic.completed} sessions (${r.traffic.achievedRate.toFixed(1)}/s), ${percent(r.traffic.canary / Math.max(1, r.traffic.sessions), 1)} on a canary, ${r.traffic.shed} shed (due while max-in-flight sessions were waiting)${errors(r.traffic.errors)}${unknown(r.traffic.unknownVersions)}`,
    `  round trips: config ${ms(r.traffic.latencyMs.config)}; feedback ${ms(r.traffic.latencyMs.collect)}`,
    ...(r.traffic.queryAccepted
      ? []
      : ['  feedback-api refused the config fetch’s query (no retrieval on this mesh): sessions fetched without it']),
    '',
    table(
      [
        'truth class',
        'count',
        'started',
        'rolled back',
        'promoted',
        'retired',
        'untouched',
        'running / failed',
        'to rollback p50 / p90',
        'recovery p50 / p90',
      ],
      r.classes.map((c) => [
        c.class,
        String(c.count),
        String(c.started),
        shareOf(c.outcomes.rolled_back, c.count),
        shareOf(c.outcomes.promoted, c.count),
        shareOf(c.outcomes.retired, c.count),
        shareOf(c.outcomes.untouched, c.count) +
          (c.outcomes.not_injected ? ` (+${c.outcomes.not_injected} not injected)` : ''),
        `${c.outcomes.in_progress} / ${c.outcomes.failed}`,
        `${seconds(c.rollbackSeconds.median)} / ${seconds(c.rollbackSeconds.p90)}`,
        c.recoverySeconds ? `${seconds(c.recoverySeconds.median)} / ${seconds(c.recoverySeconds.p90)}` : '',
      ]),
    ),
    '',
    ...learnableLines(r),
    `true quality served: first window ${fixed(r.quality.first)} → last ${fixed(r.quality.last)} (net ${signed(r.quality.netGain)}); a perfect loop ends at ${r.fleet.bestQuality.toFixed(3)}`,
    `mutations started: ${r.mutationsStarted}; budgets (most in any window / limit): ${r.budget.map((b) => `${b.scope} ${b.max}/${b.limit}${b.exceeded ? ' EXCEEDED' : ''}`).join('; ')}`,
    `stalled findings: at most ${r.stalled.maxDuringRun} at any of ${r.stalled.checks} checks after a tick, ${r.stalled.atEnd ?? 'n/a'} after the last${
      Object.keys(r.stalled.atEndByWhy).length
        ? ` — ${Object.entries(r.stalled.atEndByWhy)
            .map(([k, v]) => `${v}× ${k}`)
            .join('; ')}`
        : ''
    }`,
    `  rule: ${r.stalled.definition}`,
    `ticks: ${r.ticks.count} (${Object.entries(r.ticks.statuses)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}); round trip ${ms(r.ticks.clientMs)}; as reported ${ms(r.ticks.serverMs)}`,
    `findings at the end: ${entries(r.findings.byStatus)}${Object.keys(r.findings.deferredReasons).length ? `; deferred because ${entries(r.findings.deferredReasons)}` : ''}`,
    `plans at the end: ${entries(r.plans.byStatus)}`,
    ...triggers(r),
    ...rollbackReasons(r),
    '',
    ...r.goals.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.goal} — ${g.measured}`),
  ];
  return lines.join('\n');
}

/** Per learnable agent: what the loop did with dynamic examples and its true quality before and after. */
function learnableLines(r: EfficacyReport): string[] {
  const l = r.learnable;
  if (!l.count) return [];
  return [
    `learnable agents: ${l.promoted}/${l.count} got dynamic examples promoted; true quality ${fixed(l.before)} → ${fixed(l.after)} (${signed(l.gain)})`,
    ...l.agents.map(
      (a) =>
        `  ${a.agentId} (${a.tier}, ${a.environment}): truth ${a.stableQuality.toFixed(3)}, ${a.withExamplesQuality.toFixed(3)} with examples; ${a.candidatesRegistered} registered; dynamic examples ${a.outcome}${a.promotedAtSeconds === null ? '' : ` at ${seconds(a.promotedAtSeconds)}`} (${a.rollouts} rollout(s)); ${a.retrieved}/${a.sessions} sessions got examples, ${a.helped} on their topic; served ${fixed(a.before)} → ${fixed(a.after)} (${signed(a.gain)})`,
    ),
    '',
  ];
}

/** What the loop acted on, by truth class: the finding types behind each rollout's plan. */
function triggers(r: EfficacyReport): string[] {
  const counts = new Map<string, number>();
  for (const x of r.timeline.rollouts) {
    const key = `${x.class}: ${x.findings.length ? [...new Set(x.findings)].sort().join(' + ') : 'no finding of its agent in its plan'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts.size
    ? ['rollouts by the findings they were planned for:', ...[...counts].map(([k, v]) => `  ${v}× ${k}`)]
    : [];
}

function rollbackReasons(r: EfficacyReport): string[] {
  const wrong = r.timeline.rollouts.filter(
    (x) => x.status === 'rolled_back' && (x.class === 'better' || x.class === 'identical' || x.class === 'regression'),
  );
  if (!wrong.length) return [];
  const reasons = new Map<string, number>();
  for (const x of wrong)
    reasons.set(`${x.class}: ${trimReason(x.reason)}`, (reasons.get(`${x.class}: ${trimReason(x.reason)}`) ?? 0) + 1);
  return [
    'rollbacks of changes that were truly not worse, by reason:',
    ...[...reasons].map(([k, v]) => `  ${v}× ${k}`),
  ];
}

/** A reason without its figures, so equal reasons group. */
const trimReason = (reason: string | null) => (reason ?? 'no reason given').replace(/[0-9.]+/g, '#').slice(0, 140);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const shareOf = (part: number, whole: number) => (whole ? `${part} (${percent(part / whole)})` : '0');
const fixed = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));
const signed = (value: number | null) => (value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(3)}`);
const ms = (s: Spread) =>
  s.n ? `p50 ${Math.round(s.median!)} ms / p90 ${Math.round(s.p90!)} ms / max ${Math.round(s.max!)} ms` : 'n/a';
const entries = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || 'none';
const errors = (counts: Record<string, number>) =>
  Object.keys(counts).length ? `; errors: ${entries(counts)}` : '; no errors';
const unknown = (counts: Record<string, number>) =>
  Object.keys(counts).length ? `; served prompt versions the truth does not know: ${entries(counts)}` : '';
