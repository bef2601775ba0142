import type { Severity } from '@metaloop/contracts';
import { benjaminiHochberg, type Interval, type TestResult } from '@metaloop/stats';
import type { FindingDraft } from '../findings/finding-draft';
import type { AnalysisWindows, TimeRange } from './analysis-windows';

/**
 * Collects the tests and drafts of one analysis. Every test counts in the Benjamini–Hochberg
 * family, also those whose effect stayed below its threshold; a draft resting on a test
 * survives only where the adjusted p-value is ≤ alpha.
 */
export class Detections {
  private readonly pValues: number[] = [];
  private readonly drafts: Array<{ draft: FindingDraft; test?: number }> = [];

  /** Registers a test's p-value; returns its handle for `propose`. */
  test(pValue: number): number {
    return this.pValues.push(Math.min(1, Math.max(0, pValue))) - 1;
  }

  /** A draft resting on test `test`, or on a plain rule (its confidence set by the detector). */
  propose(draft: FindingDraft, test?: number): void {
    this.drafts.push({ draft, test });
  }

  get testsRun(): number {
    return this.pValues.length;
  }

  finish(alpha: number): FindingDraft[] {
    const adjusted = benjaminiHochberg(this.pValues);
    return this.drafts.flatMap(({ draft, test }) => {
      if (test === undefined) return [{ ...draft, evidence: finiteOnly(draft.evidence) }];
      const q = adjusted[test]!;
      if (q > alpha) return [];
      return [
        {
          ...draft,
          confidence: 1 - q,
          evidence: finiteOnly({ ...draft.evidence, p_value_adjusted: q, multiple_testing: 'benjamini_hochberg' }),
        },
      ];
    });
  }
}

/**
 * Evidence without non-finite numbers (a t statistic is ±∞ when every rating is the same, a
 * cut is NaN when nothing splits a histogram): JSON would turn them into nulls that no
 * evidence schema accepts. Arrays holding one (an interval) go as a whole.
 */
function finiteOnly<T extends Record<string, unknown>>(evidence: T): T {
  const keep = (value: unknown): boolean =>
    typeof value === 'number' ? Number.isFinite(value) : Array.isArray(value) ? value.every(keep) : true;
  const clean = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => keep(v))
            .map(([k, v]) => [k, clean(v)]),
        )
      : value;
  return clean(evidence) as T;
}

/** The first severity whose bound `value` reaches, in order; `otherwise` below all. */
export function severityFrom(
  value: number,
  bounds: ReadonlyArray<readonly [number, Severity]>,
  otherwise: Severity,
): Severity {
  for (const [bound, severity] of bounds) if (value >= bound) return severity;
  return otherwise;
}

export const range = ({ from, to }: TimeRange) => ({ from: from.toISOString(), to: to.toISOString() });

export const windowsEvidence = (windows: AnalysisWindows) => ({
  window: range(windows.window),
  baseline_window: range(windows.baseline),
});

export const ciOf = (interval: Interval): [number, number] => [interval.lower, interval.upper];

/** A test's part of the evidence: its name, statistic, p-value, effect size and interval. */
export const testEvidence = (test: TestResult) => ({
  test: test.test,
  statistic: test.statistic,
  p_value: test.pValue,
  effect_size: test.effectSize,
  ci: ciOf(test.ci),
  confidence_level: test.confidence,
});

export const dedupKey = (...parts: Array<string | null>) =>
  parts.map((part) => (part === null || part === '' ? '-' : part)).join(':');

/** Rounded for summaries: 3 significant digits. */
export const fmt = (x: number) => Number(x.toPrecision(3)).toString();

export const pct = (fraction: number) => `${fmt(100 * fraction)} %`;

export const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${fmt(p)}`);
