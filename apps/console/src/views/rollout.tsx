import { get, may, post } from '../api';
import type { ViewProps } from '../app';
import { usePoll } from '../hooks';
import { href } from '../router';
import type { RollbackResult, RolloutDecisionView, RolloutDetail } from '../types';
import { Badge, Json, Loading, num, pct, short, time } from '../ui';

/** What the monitor records with each look (apps/orchestrator/src/monitor/analysis), as far as the console shows it. */
interface ArmSummary {
  events?: number;
  success_rate?: number | null;
  error_rate?: number | null;
  mean_rating?: number | null;
  helpful_share?: number | null;
  p95_latency_ms?: number | null;
  complaints?: number;
}
interface GuardedTest {
  metric: string;
  better: 'higher' | 'lower';
  decision: 'worse' | 'better' | 'inconclusive';
  n_canary: number;
  n_stable: number;
  difference: number;
  log_likelihood_ratio: number;
  threshold: number;
  harm_p_value: number;
  alpha: number;
  confidence_sequence: [number, number] | null;
}
interface HardThreshold {
  name: string;
  value: number | null;
  stable_value: number | null;
  threshold: number;
  n: number;
  stable_n: number;
  breached?: boolean;
  excused?: boolean;
  /** Why it breached, or why a value above the bound was excused (not the change's doing). */
  note?: string | null;
  p_value?: number | null;
}
interface LookStatistics {
  arms?: { canary?: ArmSummary; stable?: ArmSummary };
  tests?: GuardedTest[];
  hard_thresholds?: HardThreshold[];
  score?: { canary: number; stable: number; lift: number | null; min_lift: number };
  futility?: { futile: boolean; p_value: number; alpha: number };
  reason?: string;
  trigger?: string;
}

const stats = (decision: RolloutDecisionView) => (decision.statistics ?? {}) as LookStatistics;

const METRICS: Array<{ key: keyof ArmSummary; label: string; better: 'higher' | 'lower' }> = [
  { key: 'success_rate', label: 'success rate', better: 'higher' },
  { key: 'helpful_share', label: 'helpful share', better: 'higher' },
  { key: 'mean_rating', label: 'mean rating', better: 'higher' },
  { key: 'error_rate', label: 'error rate', better: 'lower' },
  { key: 'p95_latency_ms', label: 'p95 latency (ms)', better: 'lower' },
];

/** One rollout: its steps and weights over time, every decision with its evidence, the guarded metrics per arm. */
export function RolloutView({ who, confirm, rolloutId }: ViewProps & { rolloutId: string }) {
  const rollout = usePoll(
    () => get<RolloutDetail>(`/api/v1/oracle/rollouts/${encodeURIComponent(rolloutId)}`),
    [rolloutId],
    2000,
  );
  const r = rollout.data;
  const live = r && ['pending', 'running', 'paused'].includes(r.status);
  const lastLook = r ? [...r.decisions].reverse().find((d) => stats(d).score || stats(d).tests) : undefined;
  const rollback = r?.decisions.find((d) => d.action === 'rollback');

  return (
    <section>
      <p class="crumbs">
        <a href={href('/')}>Fleet</a> ›{' '}
        {r ? <a href={href(`/agents/${encodeURIComponent(r.agent_id)}`)}>{r.agent_id}</a> : '…'} › rollout
      </p>
      <Loading loading={rollout.loading} problem={rollout.problem} />
      {r && (
        <>
          <h1>
            Rollout <code>{short(r.rollout_id)}</code> <Badge value={r.status} />
          </h1>
          <dl class="facts">
            <dt>Agent</dt>
            <dd>
              <a href={href(`/agents/${encodeURIComponent(r.agent_id)}`)}>{r.agent_id}</a>
            </dd>
            <dt>Mutation</dt>
            <dd>{r.mutation_type}</dd>
            {who.grafana_url && (
              <>
                <dt>Dashboard</dt>
                <dd>
                  <a
                    href={`${who.grafana_url.replace(/\/$/, '')}/d/metaloop-safety?var-agent=${encodeURIComponent(r.agent_id)}`}
                    target="_blank"
                    rel="noreferrer"
                  >
                    Safety for {r.agent_id}
                  </a>
                </dd>
              </>
            )}
            <dt>Canary weight</dt>
            <dd>
              <strong>{pct(r.weight)}</strong> (step {r.step_index + 1} of {r.steps.length}:{' '}
              {r.steps.map((s) => `${s} %`).join(' → ')})
            </dd>
            <dt>Stable → candidate</dt>
            <dd>
              <code>{short(r.stable_revision_id, 12)}</code> → <code>{short(r.candidate_revision_id, 12)}</code>
            </dd>
            <dt>Started / finished</dt>
            <dd>
              {time(r.started_at)} / {time(r.finished_at)}
            </dd>
            <dt>Rollback key</dt>
            <dd>
              <code>{r.rollback_key}</code> (revert: {r.revert_status}
              {r.revert_error ? `, ${r.revert_error}` : ''})
            </dd>
            {lastLook?.statistics && stats(lastLook).score && (
              <>
                <dt>Promotion score</dt>
                <dd>
                  <Score score={stats(lastLook).score!} />
                </dd>
              </>
            )}
            {(r.status === 'rolled_back' || r.status === 'retired' || r.status === 'failed') && (
              <>
                <dt>{r.status === 'rolled_back' ? 'Rollback reason' : 'Reason'}</dt>
                <dd class="alert-text">
                  {r.status_reason ?? rollback?.reason ?? '—'}
                  {rollback &&
                    stats(rollback).reason &&
                    ` (${stats(rollback).reason}, ${stats(rollback).trigger ?? rollback.actor})`}
                </dd>
              </>
            )}
          </dl>
          {live && may(who, 'oracle:rollback') && (
            <button
              type="button"
              class="danger"
              onClick={() =>
                confirm({
                  title: `Roll back rollout ${short(r.rollout_id)}?`,
                  body: (
                    <p>
                      Agent <strong>{r.agent_id}</strong> goes back to its stable revision{' '}
                      <code>{r.stable_revision_id}</code> for all traffic (the canary at {pct(r.weight)} with{' '}
                      {r.mutation_type} ends), and the adapter's side effects are reverted.
                    </p>
                  ),
                  confirmLabel: 'Roll back',
                  danger: true,
                  reason: { label: 'Reason (for the audit log)' },
                  run: async (reason) => {
                    await post<RollbackResult>('/api/v1/oracle/rollback', {
                      rollout_id: r.rollout_id,
                      emergency: true,
                      ...(reason ? { reason } : {}),
                    });
                    rollout.reload();
                  },
                })
              }
            >
              Roll back this rollout
            </button>
          )}
          <h2>Weight over time</h2>
          <WeightChart rollout={r} />
          <h2>Guarded metrics per arm</h2>
          <MetricCharts decisions={r.decisions} />
          <h2>Decisions</h2>
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Action</th>
                <th class="num">Weight</th>
                <th>Reason and evidence</th>
              </tr>
            </thead>
            <tbody>
              {[...r.decisions].reverse().map((decision) => (
                <tr key={decision.decision_id} class={`d-${decision.action}`}>
                  <td data-label="When">{time(decision.at)}</td>
                  <td data-label="Action">
                    <Badge value={decision.action} />
                  </td>
                  <td data-label="Weight" class="num">
                    {pct(decision.weight)}
                  </td>
                  <td data-label="Reason">
                    <div>{decision.reason}</div>
                    <Evidence decision={decision} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Score({ score }: { score: NonNullable<LookStatistics['score']> }) {
  const reached = score.lift !== null && score.lift >= score.min_lift;
  return (
    <span>
      canary {num(score.canary)} vs stable {num(score.stable)}, lift{' '}
      <strong class={reached ? 'good-text' : ''}>{score.lift === null ? '—' : `${num(score.lift * 100, 1)} %`}</strong>{' '}
      (needs ≥ {num(score.min_lift * 100, 1)} %)
    </span>
  );
}

/** A decision's statistics: canary vs stable per guarded metric with the confidence sequence and the threshold. */
function Evidence({ decision }: { decision: RolloutDecisionView }) {
  const s = stats(decision);
  if (!s.tests && !s.hard_thresholds) return <Json value={decision.statistics} summary="statistics" />;
  return (
    <details>
      <summary>
        statistics
        {s.arms?.canary ? ` (canary ${s.arms.canary.events ?? 0} events, stable ${s.arms.stable?.events ?? 0})` : ''}
      </summary>
      {s.tests && s.tests.length > 0 && (
        <table class="inner">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Verdict</th>
              <th class="num">Canary − stable</th>
              <th>Confidence sequence</th>
              <th class="num">ln Λ / threshold</th>
              <th class="num">Harm p</th>
            </tr>
          </thead>
          <tbody>
            {s.tests.map((test) => (
              <tr key={test.metric}>
                <td>
                  {test.metric} <span class="muted">({test.better} is better)</span>
                </td>
                <td>
                  <Badge value={test.decision} />
                </td>
                <td class="num">{num(test.difference)}</td>
                <td>
                  {test.confidence_sequence
                    ? `[${num(test.confidence_sequence[0])}, ${num(test.confidence_sequence[1])}]`
                    : '—'}
                </td>
                <td class="num">
                  {num(test.log_likelihood_ratio, 2)} / {num(test.threshold, 2)}
                </td>
                <td class="num">
                  {num(test.harm_p_value)} <span class="muted">α {test.alpha}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.hard_thresholds && s.hard_thresholds.length > 0 && (
        <table class="inner">
          <thead>
            <tr>
              <th>Hard threshold</th>
              <th class="num">Canary</th>
              <th class="num">Stable</th>
              <th class="num">Bound</th>
              <th class="num">n canary / stable</th>
            </tr>
          </thead>
          <tbody>
            {s.hard_thresholds.map((check) => (
              <tr key={check.name} class={check.breached ? 'alert-text' : ''}>
                <td>
                  {check.name}{' '}
                  {check.breached ? <Badge value="breached" /> : check.excused ? <Badge value="excused" /> : null}
                  {check.note && <div class="muted small">{check.note}</div>}
                </td>
                <td class="num">{num(check.value)}</td>
                <td class="num">{num(check.stable_value)}</td>
                <td class="num">{num(check.threshold)}</td>
                <td class="num">
                  {check.n} / {check.stable_n}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.score && (
        <p>
          Promotion score: <Score score={s.score} />
        </p>
      )}
      {s.futility && (
        <p>
          Futility: {s.futility.futile ? 'futile' : 'not futile'} (p {num(s.futility.p_value)}, α {s.futility.alpha})
        </p>
      )}
      <Json value={decision.statistics} summary="raw" />
    </details>
  );
}

const W = 640;
const H = 140;
const PAD = 28;

function xScale(times: number[]) {
  const min = Math.min(...times);
  const max = Math.max(...times, min + 1);
  return (t: number) => PAD + ((t - min) / (max - min)) * (W - 2 * PAD);
}

/** The canary's weight as a step line over the decisions (and now, while it runs). */
function WeightChart({ rollout }: { rollout: RolloutDetail }) {
  const points = rollout.decisions.map((d) => ({ t: Date.parse(d.at), w: d.weight }));
  if (!rollout.finished_at && points.length) points.push({ t: Date.now(), w: rollout.weight });
  if (points.length < 2) return <p class="muted">Not enough decisions yet.</p>;
  const x = xScale(points.map((p) => p.t));
  const y = (w: number) => H - PAD - (w / 100) * (H - 2 * PAD);
  let path = `M${x(points[0]!.t)},${y(points[0]!.w)}`;
  for (const p of points.slice(1)) path += ` H${x(p.t)} V${y(p.w)}`;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`canary weight over time, now ${rollout.weight} %`}
    >
      {[0, 50, 100].map((w) => (
        <g key={w}>
          <line x1={PAD} x2={W - PAD} y1={y(w)} y2={y(w)} class="grid" />
          <text x={4} y={y(w) + 4} class="axis">
            {w}%
          </text>
        </g>
      ))}
      <path d={path} class="line canary" />
      <text x={PAD} y={H - 6} class="axis">
        {clock(points[0]!.t)}
      </text>
      <text x={W - PAD} y={H - 6} class="axis" text-anchor="end">
        {rollout.finished_at ? clock(points[points.length - 1]!.t) : 'now'}
      </text>
    </svg>
  );
}

const clock = (t: number) =>
  new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Small multiples: each guarded metric of both arms over the looks (since the rollout started: the same window). */
function MetricCharts({ decisions }: { decisions: RolloutDecisionView[] }) {
  const looks = decisions.filter((d) => stats(d).arms?.canary);
  if (looks.length < 2) return <p class="muted">The monitor has not looked twice yet.</p>;
  const x = xScale(looks.map((d) => Date.parse(d.at)));
  const charts = METRICS.map((metric) => {
    const series = (arm: 'canary' | 'stable') =>
      looks
        .map((d) => ({ t: Date.parse(d.at), v: stats(d).arms?.[arm]?.[metric.key] as number | null | undefined }))
        .filter((p): p is { t: number; v: number } => typeof p.v === 'number');
    return { metric, canary: series('canary'), stable: series('stable') };
  }).filter((c) => c.canary.length + c.stable.length > 1);
  if (charts.length === 0) return <p class="muted">No guarded metric measured yet.</p>;
  return (
    <div class="charts">
      <p class="legend">
        <span class="swatch canary" /> canary <span class="swatch stable" /> stable
      </p>
      {charts.map(({ metric, canary, stable }) => {
        const values = [...canary, ...stable].map((p) => p.v);
        const lo = Math.min(...values);
        const hi = Math.max(...values, lo + 1e-9);
        const y = (v: number) => H - PAD - ((v - lo) / (hi - lo)) * (H - 2 * PAD);
        const line = (points: Array<{ t: number; v: number }>) =>
          points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t)},${y(p.v)}`).join(' ');
        const last = (points: Array<{ v: number }>) => points[points.length - 1]?.v;
        return (
          <figure key={metric.key}>
            <figcaption>
              {metric.label} <span class="muted">({metric.better} is better)</span>: canary {num(last(canary) ?? null)}{' '}
              · stable {num(last(stable) ?? null)}
            </figcaption>
            <svg
              class="chart"
              viewBox={`0 0 ${W} ${H}`}
              role="img"
              aria-label={`${metric.label}, canary against stable`}
            >
              <line x1={PAD} x2={W - PAD} y1={y(lo)} y2={y(lo)} class="grid" />
              <line x1={PAD} x2={W - PAD} y1={y(hi)} y2={y(hi)} class="grid" />
              <text x={2} y={y(hi) + 4} class="axis">
                {num(hi, 2)}
              </text>
              <text x={2} y={y(lo) + 4} class="axis">
                {num(lo, 2)}
              </text>
              <path d={line(stable)} class="line stable" />
              <path d={line(canary)} class="line canary" />
            </svg>
          </figure>
        );
      })}
    </div>
  );
}
