import {
  ACTIVE_ROLLOUT_STATUSES,
  type FindingView,
  type RolloutDecision,
  type RolloutView,
  type TickResult,
} from '../api/wire';

/*
 * What the demo prints, as pure functions of what the read APIs answered: rollouts starting,
 * stepping, promoting, retiring and rolling back, each tick's outcome, and per agent what the
 * loop is waiting for.
 */

const FINISHED_MARK: Record<string, string> = {
  promoted: '✔',
  rolled_back: '✖',
  retired: '◼',
  failed: '!',
  paused: '⏸',
};

/** The lines a new listing of rollouts adds to the previous one (keyed by rollout id). */
export function rolloutChanges(
  previous: ReadonlyMap<string, RolloutView>,
  current: readonly RolloutView[],
  nameOf: (agentId: string) => string,
): string[] {
  const lines: string[] = [];
  for (const r of [...current].sort((a, b) => a.created_at.localeCompare(b.created_at))) {
    const before = previous.get(r.rollout_id);
    const name = nameOf(r.agent_id);
    if (!before)
      lines.push(
        `▶ ${name}: rollout started — ${r.mutation_type}, canary at ${pct(r.weight)} (steps ${r.steps.join('→')} %)`,
      );
    else if (before.weight !== r.weight && ACTIVE_ROLLOUT_STATUSES.has(r.status))
      lines.push(`↗ ${name}: canary ${pct(before.weight)} → ${pct(r.weight)}`);
    if (before?.status !== r.status && FINISHED_MARK[r.status]) lines.push(finishedLine(name, r));
  }
  return lines;
}

function finishedLine(name: string, r: RolloutView): string {
  const verb =
    {
      promoted: 'PROMOTED — the candidate is now the stable config',
      rolled_back: 'ROLLED BACK — stable serves again',
      retired: 'RETIRED — not better; the champion stays',
    }[r.status] ?? r.status.toUpperCase();
  return `${FINISHED_MARK[r.status] ?? '•'} ${name}: ${verb}${r.status_reason ? ` (${r.status_reason})` : ''}`;
}

/** One tick in a line: its status, each stage's outcome, and the summary. */
export function tickLine(n: number, result: TickResult | null, clientMs: number, error?: string): string {
  if (!result) return `tick ${n}: failed after ${clientMs} ms — ${error ?? 'no answer'}`;
  const stages = result.stages.map((s) => `${s.stage} ${s.outcome}`).join(' · ');
  return `tick ${n}: ${result.status} in ${clientMs} ms${stages ? ` [${stages}]` : ''} — ${shorten(result.summary, 220)}`;
}

export interface AgentPicture {
  name: string;
  /** What the truth says should happen here. */
  /** `train`: the flywheel's learner, whose trained adapter should be promoted. */
  expect: 'promote' | 'rollback' | 'nothing' | 'recover' | 'train';
  rollouts: readonly RolloutView[];
  /** The newest decision of the agent's active rollout. */
  lastDecision?: RolloutDecision;
  findings: readonly FindingView[];
  /** The operator has deployed the bad prompt (agents expected to recover). */
  broken?: boolean;
  /** Share of this agent's recent sessions served by a canary. */
  canaryShare: number;
}

/** What the loop is waiting for on one agent, in its own words where it gave them. */
export function waitingFor(a: AgentPicture): string {
  const active = a.rollouts.find((r) => ACTIVE_ROLLOUT_STATUSES.has(r.status));
  const done = a.rollouts.filter((r) => !ACTIVE_ROLLOUT_STATUSES.has(r.status));
  if (active) {
    const decision = a.lastDecision
      ? `${a.lastDecision.action}: ${a.lastDecision.reason}`
      : 'waiting for the first look';
    return `${a.name}: canary ${active.status} at ${pct(active.weight)} (${pct(100 * a.canaryShare)} of its sessions) — ${shorten(decision, 200)}`;
  }
  if (a.expect === 'nothing')
    return `${a.name}: fine, nothing to do${done.length ? ` (but ${done.length} rollout(s) ran: ${done.map((r) => r.status).join(', ')})` : ''}`;
  const last = done.at(-1);
  if (last && a.expect === 'train' && last.status === 'promoted' && last.mutation_type === 'LORA_APPLY')
    return `${a.name}: done — the trained adapter is promoted`;
  if (last && a.expect !== 'train' && (last.status === 'promoted' || a.expect === 'rollback'))
    return `${a.name}: done — ${last.status}`;
  const open = a.findings.filter((f) => ['open', 'planned', 'deferred'].includes(f.status));
  if (open.length === 0) {
    if (a.expect === 'recover' && !a.broken) return `${a.name}: healthy until the operator deploys the bad prompt`;
    if (a.expect === 'train')
      return `${a.name}: no open finding — waiting for enough feedback (a retrain trigger, then a quality finding for the trained adapter)`;
    return `${a.name}: no open finding yet — the analyzer needs enough feedback to be significant`;
  }
  const f = [...open].sort((x, y) => (y.last_seen_at ?? '').localeCompare(x.last_seen_at ?? ''))[0]!;
  const why =
    f.status === 'deferred'
      ? `deferred (${f.deferred_reason ?? '?'}${f.deferred_detail ? `: ${f.deferred_detail}` : ''})`
      : f.status;
  return `${a.name}: finding ${f.type} is ${why} — ${shorten(f.summary, 140)}`;
}

const pct = (weight: number) => `${Number(weight.toFixed(2))} %`;
const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
