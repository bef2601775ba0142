import type { FeedbackEvent } from '@metaloop/contracts';
import type { QualityWeights } from './learning.schema';

/** A registered metric's direction, as far as quality needs it. */
export interface QualityMetric {
  type: 'boolean' | 'float';
  optimize: 'max' | 'min';
}

/**
 * The quality of one feedback event in [0, 1], or null when it carries no quality signal: the
 * weighted mean of the signals present — the rating mapped from 1–5 onto 0–1, helpful (1/0),
 * success (1/0, or the success rate), and the registered boolean metrics in their optimize
 * direction (true is good for `max`). A complaint or a correction says the answer was not good:
 * quality 0 whatever else the event carries.
 */
export function qualityScore(
  event: Pick<FeedbackEvent, 'explicit' | 'implicit' | 'metrics'>,
  weights: QualityWeights,
  metrics: ReadonlyMap<string, QualityMetric> = new Map(),
): number | null {
  const { explicit, implicit } = event;
  if (explicit?.complaint || explicit?.correction) return 0;
  let sum = 0;
  let total = 0;
  const add = (value: number | undefined, weight: number) => {
    if (value === undefined || weight === 0) return;
    sum += value * weight;
    total += weight;
  };
  add(explicit?.rating === undefined ? undefined : (explicit.rating - 1) / 4, weights.rating_weight);
  add(explicit?.helpful === undefined ? undefined : Number(explicit.helpful), weights.helpful_weight);
  add(implicit?.success === undefined ? implicit?.success_rate : Number(implicit.success), weights.success_weight);
  const booleans = Object.entries(event.metrics ?? {}).flatMap(([name, value]) => {
    const metric = metrics.get(name);
    if (metric?.type !== 'boolean' || typeof value !== 'boolean') return [];
    return [value === (metric.optimize === 'max') ? 1 : 0];
  });
  if (booleans.length) add(booleans.reduce((a, b) => a + b, 0) / booleans.length, weights.metrics_weight);
  return total === 0 ? null : sum / total;
}
