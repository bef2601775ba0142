import type { PromotionPolicy } from '@metaloop/policies';
import { momentsArm, proportionArm, type SequentialArm } from '@metaloop/stats';
import { p95LatencyMs, round, type ArmSums } from './arm-sums';

export interface ScoreComponent {
  name: 'quality' | 'positive' | 'latency';
  weight: number;
  canary: number;
  stable: number;
}

export interface ChampionScore {
  canary: number;
  stable: number;
  /** (canary − stable) / |stable| (the absolute difference when |stable| < 0.01); null without any component. */
  lift: number | null;
  min_lift: number;
  components: ScoreComponent[];
}

/**
 * One component of both arms as estimates: the mean of each arm and the variance of one of its
 * observations. Latency (a p95 from the histogram) is plugged in: variance 0.
 */
export interface ComponentEstimate {
  name: ScoreComponent['name'];
  weight: number;
  canary: SequentialArm;
  stable: SequentialArm;
}

type Estimator = (arm: ArmSums) => SequentialArm | undefined;

const success: Estimator = (arm) =>
  arm.successN > 0 ? proportionArm({ successes: arm.successSum, n: arm.successN }) : undefined;
/** The rating (1–5) scaled to 0–1: mean (r − 1) / 4, variance / 16. */
const scaledRating: Estimator = (arm) => {
  if (arm.ratingCount === 0) return undefined;
  const { n, mean, variance } = momentsArm({ n: arm.ratingCount, sum: arm.ratingSum, sumSq: arm.ratingSumSq });
  return { n, mean: (mean - 1) / 4, variance: variance / 16 };
};
const positive: Estimator = (arm) => {
  const votes = arm.helpfulUp + arm.helpfulDown;
  return votes > 0 ? proportionArm({ successes: arm.helpfulUp, n: votes }) : undefined;
};
const latency =
  (policy: PromotionPolicy): Estimator =>
  (arm) => {
    const p95 = p95LatencyMs(arm);
    return p95 === undefined
      ? undefined
      : { n: arm.latencyCount, mean: Math.min(p95 / policy.latency_reference_ms, 1), variance: 0 };
  };

const bothArms = (
  estimate: Estimator,
  canary: ArmSums,
  stable: ArmSums,
): { canary: SequentialArm; stable: SequentialArm } | undefined => {
  const [c, s] = [estimate(canary), estimate(stable)];
  return c && s ? { canary: c, stable: s } : undefined;
};

/**
 * The components of seed 001's score that both arms have data for, so neither arm wins by missing
 * data: quality is the success rate (else the rating scaled to 0–1), positive the share of helpful
 * votes, latency min(p95 / latency_reference_ms, 1) with a negative weight.
 */
export function scoreComponents(policy: PromotionPolicy, canary: ArmSums, stable: ArmSums): ComponentEstimate[] {
  const candidates: Array<[ScoreComponent['name'], number, ReturnType<typeof bothArms>]> = [
    ['quality', policy.quality_weight, bothArms(success, canary, stable) ?? bothArms(scaledRating, canary, stable)],
    ['positive', policy.positive_weight, bothArms(positive, canary, stable)],
    ['latency', -policy.latency_weight, bothArms(latency(policy), canary, stable)],
  ];
  return candidates.flatMap(([name, weight, arms]) => (arms ? [{ name, weight, ...arms }] : []));
}

/** The gain over stable's score that `min_lift` asks for, in score units (how `lift` is defined). */
export const requiredGain = (minLift: number, stableScore: number) =>
  Math.abs(stableScore) < 0.01 ? minLift : minLift * Math.abs(stableScore);

/**
 * Seed 001's champion/challenger score, 0.5·quality + 0.3·positive − 0.2·normalised p95, of each
 * arm since the rollout started (see scoreComponents), and the challenger's lift over the champion.
 */
export function championScore(policy: PromotionPolicy, canary: ArmSums, stable: ArmSums): ChampionScore {
  const components = scoreComponents(policy, canary, stable).map(({ name, weight, canary: c, stable: s }) => ({
    name,
    weight,
    canary: round(c.mean),
    stable: round(s.mean),
  }));
  const score = (arm: 'canary' | 'stable') => round(components.reduce((sum, c) => sum + c.weight * c[arm], 0));
  const [c, s] = [score('canary'), score('stable')];
  const lift = components.length === 0 ? null : round(Math.abs(s) < 0.01 ? c - s : (c - s) / Math.abs(s));
  return { canary: c, stable: s, lift, min_lift: policy.min_lift, components };
}
