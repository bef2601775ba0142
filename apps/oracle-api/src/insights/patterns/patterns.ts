import type { Feature, GroupPerformance, PatternsResponse } from '@metaloop/contracts';
import {
  distinguishingFeatures,
  groupPerformance,
  percent,
  pText,
  restSuccessRate,
  totalsOf,
  type DimensionSums,
  type Totals,
} from './group-stats';

export interface PatternOptions {
  window: { from: string; to: string };
  agentId: string | null;
  /** Context keys reported in by_context (`framework` and the caller's). */
  contextKeys: readonly string[];
  minSamples: number;
  alpha: number;
}

/** Groups listed per dimension, most samples first (a tag dimension may hold thousands of values). */
export const MAX_GROUPS = 50;

/** The patterns of one window from its summed dimension rollups (pure); the caller checks min_samples first. */
export function buildPatterns(rows: readonly DimensionSums[], options: PatternOptions): PatternsResponse {
  const totals = totalsOf(rows);
  const stats = { alpha: options.alpha, minSamples: options.minSamples };
  const by = (dim: string) => groupPerformance(rows, dim, totals, stats).slice(0, MAX_GROUPS);
  const byContext = Object.fromEntries(options.contextKeys.map((key) => [key, by(`context.${key}`)]));
  const features = distinguishingFeatures(rows, totals, options.alpha);
  const groups = {
    tag: by('tag'),
    model: by('model'),
    prompt_version: by('prompt_version'),
    ...Object.fromEntries(Object.entries(byContext).map(([key, list]) => [`context.${key}`, list])),
  };
  return {
    window: options.window,
    agent_id: options.agentId,
    events: totals.events,
    samples: totals.samples,
    positive: totals.positive,
    negative: totals.negative,
    success_rate: totals.success_rate,
    mean_rating: totals.mean_rating,
    by_tag: groups.tag,
    by_model: groups.model,
    by_prompt_version: groups.prompt_version,
    by_context: byContext,
    success_features: features.success,
    failure_features: features.failure,
    recommendations: recommendations(groups, features, totals),
  };
}

const LABELS: Record<string, string> = { tag: 'tag', model: 'model', prompt_version: 'prompt version' };
const label = (dim: string) => LABELS[dim] ?? dim;

/**
 * What to do, in words: each significantly weaker group (worst first), each significantly
 * stronger one, the features failures share; or that nothing differs significantly yet.
 */
export function recommendations(
  groups: Readonly<Record<string, readonly GroupPerformance[]>>,
  features: { success: readonly Feature[]; failure: readonly Feature[] },
  totals: Totals,
  limit = 10,
): string[] {
  const flagged = Object.entries(groups).flatMap(([dim, list]) =>
    list.filter((g) => g.significant).map((group) => ({ dim, group, rest: restSuccessRate(group, totals) })),
  );
  const weak = flagged
    .filter(({ group, rest }) => rest !== null && group.success_rate! < rest)
    .sort((a, b) => a.group.success_rate! - b.group.success_rate!);
  const strong = flagged
    .filter(({ group, rest }) => rest !== null && group.success_rate! > rest)
    .sort((a, b) => b.group.success_rate! - a.group.success_rate!);
  const out: string[] = [];
  for (const { dim, group, rest } of weak)
    out.push(
      `Improve ${label(dim)} "${group.value}": ${percent(group.success_rate)} success vs ${percent(rest)} elsewhere ` +
        `(n = ${group.samples}, ${pText(group.p_value)})${dim === 'model' ? '; consider a model candidate' : ''}.`,
    );
  for (const { dim, group, rest } of strong)
    out.push(
      `Use more of ${label(dim)} "${group.value}": ${percent(group.success_rate)} success vs ${percent(rest)} elsewhere ` +
        `(n = ${group.samples}, ${pText(group.p_value)}).`,
    );
  for (const feature of features.failure)
    out.push(
      `Failures often carry ${feature.feature} (${percent(feature.share_of_failures)} of failures, ` +
        `${percent(feature.share_of_successes)} of successes): look at those interactions first.`,
    );
  if (out.length === 0)
    out.push(
      `No tag, model, prompt version or context value differs significantly from the rest (${totals.samples} samples, ` +
        `success ${percent(totals.success_rate)}); collect more feedback or tag it more consistently.`,
    );
  return out.slice(0, limit);
}
