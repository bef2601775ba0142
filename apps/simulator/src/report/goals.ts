import type { BudgetRow } from './budget';
import { percent, share } from './figures';
import type { LearnableFigures } from './learnable';
import type { ClassSummary } from './outcomes';

export interface Goal {
  goal: string;
  /** What was measured, with its denominator. */
  measured: string;
  pass: boolean;
}

export interface GoalInputs {
  classes: readonly ClassSummary[];
  /** The most findings stalled at any check after a tick during the run; null when no check ran. */
  stalledMax: number | null;
  budget: readonly BudgetRow[];
  netGain: number | null;
  /** The learnable agents (issue 15): dynamic examples promoted, candidates registered, quality before and after. */
  learnable: Pick<LearnableFigures, 'count' | 'promoted' | 'candidatesRegistered' | 'before' | 'after' | 'gain'>;
}

/**
 * Issue 12's goals. Denominators: worse candidates whose rollout ended (one still running at the
 * end has not been judged yet); better and identical candidates that were started (a candidate
 * never started cannot have been rolled back wrongly); all better candidates (promotion must
 * happen within the run). Issue 15's: all learnable agents (no candidate registered: only the
 * loop's own dynamic examples can help them); their true quality in the first and the last full
 * window. A goal without any case to judge fails: it was not shown.
 */
export function judgeGoals({ classes, stalledMax, budget, netGain, learnable }: GoalInputs): Goal[] {
  const of = (cls: string) => classes.find((c) => c.class === cls)!;
  const worse = of('worse');
  const better = of('better');
  const identical = of('identical');
  const ratio = (part: number, whole: number) => `${part}/${whole} = ${percent(share(part, whole), 1)}`;

  const worseRolledBack = share(worse.outcomes.rolled_back, worse.decided);
  const wrongRollbacks = better.everRolledBack + identical.everRolledBack;
  const goodStarted = better.started + identical.started;
  const betterPromoted = share(better.outcomes.promoted, better.count);
  const exceeded = budget.filter((b) => b.exceeded);
  return [
    {
      goal: '≥ 95 % of worse candidates rolled back',
      measured: `${ratio(worse.outcomes.rolled_back, worse.decided)} of the worse candidates whose rollout ended`,
      pass: worseRolledBack !== null && worseRolledBack >= 0.95,
    },
    {
      goal: '≤ 2 % of better or identical candidates rolled back',
      measured: `${ratio(wrongRollbacks, goodStarted)} of the better and identical candidates started`,
      pass: goodStarted > 0 && wrongRollbacks / goodStarted <= 0.02,
    },
    {
      goal: '≥ 80 % of better candidates promoted',
      measured: `${ratio(better.outcomes.promoted, better.count)} of all better candidates`,
      pass: betterPromoted !== null && betterPromoted >= 0.8,
    },
    {
      goal: '0 stalled findings',
      measured:
        stalledMax === null ? 'never checked (no tick answered)' : `at most ${stalledMax} at any check after a tick`,
      pass: stalledMax === 0,
    },
    {
      goal: 'budget never exceeded',
      measured: exceeded.length
        ? exceeded.map((b) => `${b.scope}: ${b.max} > ${b.limit}`).join('; ')
        : budget.map((b) => `${b.scope} ${b.max}/${b.limit}`).join('; '),
      pass: exceeded.length === 0,
    },
    {
      goal: 'net true-quality gain > 0',
      measured:
        netGain === null
          ? 'no two full windows'
          : `${netGain >= 0 ? '+' : ''}${netGain.toFixed(3)} (last window − first)`,
      pass: netGain !== null && netGain > 0,
    },
    {
      goal: '≥ 1 learnable agent got dynamic examples promoted, with nothing registered by hand',
      measured: `${learnable.promoted}/${learnable.count} learnable agents; ${learnable.candidatesRegistered} candidates registered for them`,
      pass: learnable.promoted >= 1 && learnable.candidatesRegistered === 0,
    },
    {
      goal: 'learnable agents’ true quality gain > 0',
      measured:
        learnable.gain === null
          ? 'no two full windows of learnable agents'
          : `${learnable.before!.toFixed(3)} → ${learnable.after!.toFixed(3)} (${learnable.gain >= 0 ? '+' : ''}${learnable.gain.toFixed(3)}, last window − first)`,
      // Positive as printed: means of equal qualities can differ in the 17th digit.
      pass: learnable.gain !== null && Number(learnable.gain.toFixed(3)) > 0,
    },
  ];
}
