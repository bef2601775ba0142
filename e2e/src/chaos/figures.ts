import type { Loader } from './loader';
import type { Stored } from './ledger';

/** The loader's events of one phase against what Postgres holds. */
export interface PhaseFigures {
  phase: string;
  /** How long the phase lasted, in seconds. */
  seconds: string;
  posted: number;
  /** Answered 202: these must be stored exactly once. */
  accepted: number;
  /** Never answered 202 (5xx, no answer, timed out): may or may not be stored, never twice. */
  notAccepted: number;
  stored: number;
  /** Answered 202, not stored. */
  lost: number;
  /** Stored more than once. */
  doubled: number;
  /** Stored ids the loader never posted. */
  foreign: number;
  /** Answers by HTTP status (0: none) of every attempt in the phase, retries included, and the slowest. */
  answers: string;
}

function phaseSeconds(loader: Loader, phase: string): string {
  const phases = [...loader.began];
  const at = phases.findIndex(([name]) => name === phase);
  const end = phases[at + 1]?.[1] ?? loader.stoppedAt();
  return ((end - phases[at]![1]) / 1000).toFixed(1);
}

/** Figures per phase, in the order the phases ran, then a TOTAL row. */
export function phaseFigures(loader: Loader, result: Stored): PhaseFigures[] {
  const byPhase = new Map<string, PhaseFigures>();
  const row = (phase: string): PhaseFigures => {
    let figures = byPhase.get(phase);
    if (!figures) {
      let answers = [...(loader.statuses.get(phase) ?? new Map<number, number>())]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ');
      const slowest = loader.slowest.get(phase);
      if (slowest !== undefined) answers += `, slowest ${(slowest / 1000).toFixed(1)} s`;
      figures = {
        phase,
        seconds: phaseSeconds(loader, phase),
        posted: 0,
        accepted: 0,
        notAccepted: 0,
        stored: 0,
        lost: 0,
        doubled: 0,
        foreign: 0,
        answers,
      };
      byPhase.set(phase, figures);
    }
    return figures;
  };
  for (const [eventId, event] of loader.events) {
    const figures = row(event.phase);
    const rows = result.rows.get(eventId) ?? 0;
    figures.posted++;
    if (event.accepted) figures.accepted++;
    else figures.notAccepted++;
    if (rows > 0) figures.stored++;
    if (rows > 1) figures.doubled++;
    if (event.accepted && rows === 0) figures.lost++;
  }
  const phases = [...byPhase.values()];
  const total: PhaseFigures = {
    phase: 'TOTAL',
    seconds: '',
    posted: 0,
    accepted: 0,
    notAccepted: 0,
    stored: 0,
    lost: 0,
    doubled: 0,
    foreign: [...result.rows.keys()].filter((id) => !loader.events.has(id)).length,
    answers: '',
  };
  for (const figures of phases) {
    total.posted += figures.posted;
    total.accepted += figures.accepted;
    total.notAccepted += figures.notAccepted;
    total.stored += figures.stored;
    total.lost += figures.lost;
    total.doubled += figures.doubled;
  }
  total.stored += total.foreign;
  return [...phases, total];
}

/** Figures of the whole run besides the phases. */
export interface RunFigures {
  rounds: number;
  seconds: number;
  /** Starting the services and apps, and the rollout, before the load. */
  setupSeconds: number;
  /** From the end of the load until everything answered 202 was stored. */
  drainSeconds: number;
  deadLetters: number;
  /** Per Redis restart: until both job schedulers were in the empty Redis again. */
  scheduleRecoveryMs: number[];
  /** Per Redis restart: until a tick queued by the scheduler had started. */
  scheduledTickMs: number[];
  /** Per Redis restart: 202s answered while Redis was down. */
  acceptedWhileRedisDown: number[];
}

export function printFigures(figures: PhaseFigures[], run: RunFigures): void {
  const seconds = (list: number[]) => list.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ');
  const columns = ['seconds', 'posted', 'accepted', 'notAccepted', 'stored', 'lost', 'doubled'] as const;
  const width = Math.max(...figures.map((f) => f.phase.length));
  const lines = [
    `chaos: ${run.rounds} round(s) in ${run.seconds.toFixed(0)} s (setup ${run.setupSeconds.toFixed(1)} s, drain ${run.drainSeconds.toFixed(1)} s); dead letters: ${run.deadLetters}`,
    `after each Redis restart (empty): schedulers back in ${seconds(run.scheduleRecoveryMs)}, ` +
      `a scheduled tick started in ${seconds(run.scheduledTickMs)}; ` +
      `202s while Redis was down: ${run.acceptedWhileRedisDown.join(', ')}`,
    `${'phase'.padEnd(width)}  ${columns.map((c) => (c === 'accepted' ? '202' : c).padStart(12)).join('')}  answers`,
    ...figures.map(
      (f) => `${f.phase.padEnd(width)}  ${columns.map((c) => String(f[c]).padStart(12)).join('')}  ${f.answers}`,
    ),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}
