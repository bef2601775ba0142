import type { EfficacyReport } from './efficacy-report';
import type { ReportClass } from './outcomes';
import { renderText } from './render-text';

/*
 * The plot: true quality served over time (fleet, needy, fine and learnable agents, and what a perfect loop
 * reaches), regressions as dashed lines, and each rollout as a bar in a lane below, from its
 * creation to its end, colored by truth class and ended by its outcome. One self-contained HTML
 * page with inline SVG, no dependencies.
 */

const CLASS_COLORS: Record<ReportClass, string> = {
  better: '#1b9e77',
  worse: '#d95f02',
  identical: '#7570b3',
  fine: '#66a61e',
  regression: '#e7298a',
  dicl: '#e6ab02',
  other: '#999999',
};
const OUTCOME_COLORS: Record<string, string> = {
  promoted: '#1a9641',
  rolled_back: '#d7191c',
  retired: '#555555',
  failed: '#000000',
};
const SERIES = [
  { key: 'fleet', label: 'fleet', color: '#222222', width: 2.5 },
  { key: 'needy', label: 'needy agents', color: '#2c7bb6', width: 1.5 },
  { key: 'fine', label: 'fine agents', color: '#66a61e', width: 1.5 },
  { key: 'learnable', label: 'learnable agents (dynamic examples only)', color: '#e6ab02', width: 2 },
] as const;

const W = 960;
const PLOT = { left: 56, right: 20, top: 30, height: 300 };
const LANE = 9;

export function renderHtml(r: EfficacyReport): string {
  const windows = r.quality.windows.filter((w) => w.quality !== null);
  const xMax = Math.max(
    r.run.minutes * 60,
    ...windows.map((w) => w.end),
    ...r.timeline.rollouts.map((x) => x.finished ?? x.created),
  );
  const values = windows.flatMap((w) => [w.quality!, ...Object.values(w.byGroup).map((g) => g.quality ?? 1)]);
  const yMin = Math.max(0, Math.floor((Math.min(r.fleet.bestQuality, ...values) - 0.05) * 10) / 10);
  const innerW = W - PLOT.left - PLOT.right;
  const x = (s: number) => PLOT.left + (s / xMax) * innerW;
  const y = (q: number) => PLOT.top + ((1 - q) / (1 - yMin)) * PLOT.height;
  const bottom = PLOT.top + PLOT.height;
  const lanesTop = bottom + 40;
  const lanes = [...r.timeline.rollouts].sort((a, b) => a.created - b.created);
  const height = lanesTop + Math.max(1, lanes.length) * LANE + 50;

  const svg: string[] = [];
  for (let q = Math.ceil(yMin * 10) / 10; q <= 1.0001; q += 0.1) {
    svg.push(
      `<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${y(q)}" y2="${y(q)}" stroke="#eee"/><text x="${PLOT.left - 6}" y="${y(q) + 4}" text-anchor="end">${q.toFixed(1)}</text>`,
    );
  }
  const step = niceStep(xMax);
  for (let s = 0; s <= xMax; s += step) {
    svg.push(
      `<line x1="${x(s)}" x2="${x(s)}" y1="${PLOT.top}" y2="${lanesTop + lanes.length * LANE}" stroke="#f3f3f3"/><text x="${x(s)}" y="${bottom + 16}" text-anchor="middle">${s < 60 ? `${s} s` : `${(s / 60).toFixed(s % 60 ? 1 : 0)} min`}</text>`,
    );
  }
  svg.push(
    `<line x1="${PLOT.left}" x2="${W - PLOT.right}" y1="${y(r.fleet.bestQuality)}" y2="${y(r.fleet.bestQuality)}" stroke="#999" stroke-dasharray="6 4"><title>a perfect loop: ${r.fleet.bestQuality.toFixed(3)}</title></line>`,
  );
  for (const regression of r.timeline.regressions) {
    svg.push(
      `<line x1="${x(regression.seconds)}" x2="${x(regression.seconds)}" y1="${PLOT.top}" y2="${bottom}" stroke="${CLASS_COLORS.regression}" stroke-dasharray="3 3"><title>${esc(`${regression.ok ? 'bad prompt deployed on' : 'regression NOT injected on'} ${regression.agent_id} at ${Math.round(regression.seconds)} s${regression.error ? `: ${regression.error}` : ''}`)}</title></line>`,
    );
  }
  for (const series of SERIES) {
    const points = windows
      .map((w) => ({
        s: (w.start + w.end) / 2,
        q: series.key === 'fleet' ? w.quality : (w.byGroup[series.key]?.quality ?? null),
      }))
      .filter((p): p is { s: number; q: number } => p.q !== null);
    if (points.length)
      svg.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="${series.width}" points="${points.map((p) => `${x(p.s).toFixed(1)},${y(p.q).toFixed(1)}`).join(' ')}"/>`,
      );
  }
  lanes.forEach((rollout, i) => {
    const top = lanesTop + i * LANE;
    const end = rollout.finished ?? xMax;
    const why = rollout.findings.length ? ` for ${[...new Set(rollout.findings)].join(' + ')}` : '';
    const title = esc(
      `${rollout.agent_id} ${rollout.version ?? '?'}${rollout.dynamicK === null ? '' : ` + dynamic examples k=${rollout.dynamicK}`} (${rollout.class})${why}: ${rollout.status} after ${Math.round(end - rollout.created)} s${rollout.reason ? ` — ${rollout.reason}` : ''}`,
    );
    svg.push(
      `<g><title>${title}</title><rect x="${x(rollout.created)}" y="${top}" width="${Math.max(1.5, x(end) - x(rollout.created))}" height="${LANE - 3}" fill="${CLASS_COLORS[rollout.class]}" opacity="0.75"/>`,
    );
    svg.push(
      `<polygon points="${x(rollout.created)},${bottom} ${x(rollout.created) - 3},${bottom + 6} ${x(rollout.created) + 3},${bottom + 6}" fill="${CLASS_COLORS[rollout.class]}"/>`,
    );
    if (rollout.finished !== null) {
      const color = OUTCOME_COLORS[rollout.status] ?? '#000';
      svg.push(
        `<circle cx="${x(end)}" cy="${top + (LANE - 3) / 2}" r="3.2" fill="${color}"/><circle cx="${x(end)}" cy="${bottom - 4}" r="2.5" fill="${color}"/>`,
      );
    }
    svg.push('</g>');
  });
  svg.push(
    `<text x="${PLOT.left}" y="${PLOT.top - 10}" font-weight="bold">true quality served (mean P(good) per ${r.quality.windowSeconds} s window)</text>`,
  );
  svg.push(
    `<text x="${PLOT.left}" y="${lanesTop - 8}" font-weight="bold">rollouts (bar: created → ended; dot: promoted green, rolled back red, retired grey)</text>`,
  );
  const legend = [
    ...SERIES.map((s) => `<span style="border-bottom:3px solid ${s.color}">${s.label}</span>`),
    '<span style="border-bottom:3px dashed #999">perfect loop</span>',
    `<span style="border-bottom:3px dashed ${CLASS_COLORS.regression}">regression deployed</span>`,
    ...Object.entries(CLASS_COLORS).map(([k, c]) => `<span><i style="background:${c}"></i>${k}</span>`),
  ].join(' ');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>metaloop efficacy — seed ${r.run.seed}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}svg text{font-size:11px;fill:#444}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}.pass{color:#1a9641;font-weight:bold}.fail{color:#d7191c;font-weight:bold}.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}pre{background:#f8f8f8;padding:12px;overflow:auto;font-size:12px}</style>
</head><body>
<h1>metaloop efficacy — seed ${r.run.seed}, ${r.run.agents} agents, ${r.run.minutes} min</h1>
<p>${esc(r.run.startedAt)} · net true-quality gain ${r.quality.netGain === null ? 'n/a' : r.quality.netGain.toFixed(3)} · ${r.mutationsStarted} mutations started</p>
<table>${r.goals.map((g) => `<tr><td class="${g.pass ? 'pass' : 'fail'}">${g.pass ? 'PASS' : 'FAIL'}</td><td style="text-align:left">${esc(g.goal)}</td><td style="text-align:left">${esc(g.measured)}</td></tr>`).join('')}</table>
${learnableTable(r)}
<div class="legend">${legend}</div>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">${svg.join('')}</svg>
<pre>${esc(renderText(r))}</pre>
</body></html>
`;
}

/** The learnable agents before and after: what dynamic examples did for agents nothing was registered for. */
function learnableTable(r: EfficacyReport): string {
  const l = r.learnable;
  if (!l.count) return '';
  const q = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));
  const rows = l.agents.map(
    (a) =>
      `<tr><td>${esc(a.agentId)}</td><td>${esc(a.outcome)}${a.promotedAtSeconds === null ? '' : ` at ${Math.round(a.promotedAtSeconds)} s`}</td><td>${a.stableQuality.toFixed(3)} / ${a.withExamplesQuality.toFixed(3)}</td><td>${q(a.before)}</td><td>${q(a.after)}</td><td>${a.helped}/${a.sessions}</td></tr>`,
  );
  return `<table><tr><th>learnable agent</th><th>dynamic examples</th><th>truth: stable / with examples</th><th>served, first window</th><th>last window</th><th>sessions helped by examples</th></tr>${rows.join('')}<tr><th>all ${l.count}</th><th>${l.promoted} promoted</th><th></th><th>${q(l.before)}</th><th>${q(l.after)}</th><th></th></tr></table>`;
}

function niceStep(span: number): number {
  const target = span / 8;
  return [15, 30, 60, 120, 300, 600, 1800, 3600].find((s) => s >= target) ?? 3600;
}

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
