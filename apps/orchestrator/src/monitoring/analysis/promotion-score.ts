import type { PromotionPolicy } from '@metaloop/policies';
import { helpfulShare, meanRating, p95LatencyMs, round, successRate, type ArmSums } from './arm-sums';

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

const bothArms = (f: (arm: ArmSums) => number | undefined, canary: ArmSums, stable: ArmSums): [number, number] | undefined => {
  const [c, s] = [f(canary), f(stable)];
  return c !== undefined && s !== undefined ? [c, s] : undefined;
};

/**
 * Seed 001's champion/challenger score, 0.5·quality + 0.3·positive − 0.2·normalised p95, of each
 * arm since the rollout started. Quality is the success rate (else the rating scaled to 0–1),
 * positive the share of helpful votes, p95 is normalised as min(p95 / latency_reference_ms, 1).
 * A component enters only when both arms have data for it, so neither arm wins by missing data.
 */
export function championScore(policy: PromotionPolicy, canary: ArmSums, stable: ArmSums): ChampionScore {
  const scaledRating = (arm: ArmSums) => {
    const mean = meanRating(arm);
    return mean === undefined ? undefined : (mean - 1) / 4;
  };
  const latency = (arm: ArmSums) => {
    const p95 = p95LatencyMs(arm);
    return p95 === undefined ? undefined : Math.min(p95 / policy.latency_reference_ms, 1);
  };
  const quality = bothArms(successRate, canary, stable) ?? bothArms(scaledRating, canary, stable);
  const candidates: Array<[ScoreComponent['name'], number, [number, number] | undefined]> = [
    ['quality', policy.quality_weight, quality],
    ['positive', policy.positive_weight, bothArms(helpfulShare, canary, stable)],
    ['latency', -policy.latency_weight, bothArms(latency, canary, stable)],
  ];
  const components = candidates.flatMap(([name, weight, values]) => (values ? [{ name, weight, canary: round(values[0]), stable: round(values[1]) }] : []));
  const score = (arm: 'canary' | 'stable') => round(components.reduce((sum, c) => sum + c.weight * c[arm], 0));
  const [c, s] = [score('canary'), score('stable')];
  const lift = components.length === 0 ? null : round(Math.abs(s) < 0.01 ? c - s : (c - s) / Math.abs(s));
  return { canary: c, stable: s, lift, min_lift: policy.min_lift, components };
}
