import { latencyBucket } from '@metaloop/core';
import { policySchema, type PolicyInput } from '@metaloop/policies';
import { createRandom, type Random } from '@metaloop/stats';
import { emptySums, type ArmSums } from '../arm-sums';
import { decideLook, type LookInput } from '../decide-look';
import { pValuesOf, type PreviousPValues } from '../guarded-tests';

/** What one arm's traffic truly is (the simulation's ground truth). */
export interface ArmTruth {
  success: number;
  error: number;
  /** Mean rating (1–5) of the sessions that rate. */
  rating: number;
  helpful: number;
  medianLatencyMs: number;
  complaint: number;
}

export const BASELINE: ArmTruth = {
  success: 0.8,
  error: 0.01,
  rating: 4,
  helpful: 0.7,
  medianLatencyMs: 800,
  complaint: 0.001,
};

export interface Outcome {
  result: 'rolled_back' | 'retired' | 'promoted' | 'paused' | 'running';
  cause?: string;
  /** The last decision's reason. */
  reason?: string;
  looks: number;
  /** Canary events seen when the rollout ended. */
  canarySamples: number;
  lift: number | null;
}

export interface SimulationOptions {
  policy?: PolicyInput;
  /** Sessions (events) per analysis interval, over both arms. */
  eventsPerLook?: number;
  maxLooks?: number;
}

function addEvent(arm: ArmSums, truth: ArmTruth, random: Random): void {
  arm.count += 1;
  arm.successN += 1;
  arm.successSum += random.bernoulli(truth.success);
  arm.errors += random.bernoulli(truth.error);
  if (random.next() < 0.3) {
    const rating = Math.min(5, Math.max(1, Math.round(truth.rating + 0.9 * random.normal())));
    arm.ratingCount += 1;
    arm.ratingSum += rating;
    arm.ratingSumSq += rating * rating;
  }
  if (random.next() < 0.2) {
    if (random.bernoulli(truth.helpful)) arm.helpfulUp += 1;
    else arm.helpfulDown += 1;
  }
  arm.complaints += random.bernoulli(truth.complaint);
  arm.latencyCount += 1;
  arm.latencyHist[latencyBucket(truth.medianLatencyMs * Math.exp(0.4 * random.normal()))]! += 1;
}

function addInto(into: ArmSums, from: ArmSums): void {
  for (const key of Object.keys(from) as Array<keyof ArmSums>) {
    if (key === 'latencyHist') from.latencyHist.forEach((n, i) => (into.latencyHist[i]! += n));
    else into[key] += from[key];
  }
}

/**
 * One rollout driven by decideLook alone, look after look, as the monitor drives it: events
 * split between the arms at the current weight, the arms summed since the start, both arms'
 * recent window for the hard thresholds, the step advanced when a look passes it.
 */
export function simulateRollout(
  stable: ArmTruth,
  canary: ArmTruth,
  seed: number,
  options: SimulationOptions = {},
): Outcome {
  const policy = policySchema.parse(options.policy ?? {});
  const random = createRandom(seed);
  const intervalMs = policy.canary.analysis_interval_seconds * 1000;
  const recentLooks = Math.ceil((policy.auto_rollback.max_complaints.window_minutes * 60_000) / intervalMs);
  const eventsPerLook = options.eventsPerLook ?? 40;
  const start = new Date('2026-12-01T00:00:00Z');
  const rollout: LookInput['rollout'] = {
    status: 'running',
    stepIndex: 0,
    steps: policy.canary.steps,
    startedAt: start,
    stepStartedAt: start,
  };
  const arms = { canary: emptySums(), stable: emptySums() };
  const recent: Array<{ canary: ArmSums; stable: ArmSums }> = [];
  let stepBaseline = { canary: 0, stable: 0 };
  let previous: PreviousPValues = {};
  const maxLooks = options.maxLooks ?? 1_000;
  for (let look = 1; look <= maxLooks; look++) {
    const now = new Date(start.getTime() + look * intervalMs);
    const thisLook = { canary: emptySums(), stable: emptySums() };
    const weight = rollout.steps[rollout.stepIndex]! / 100;
    for (let i = 0; i < eventsPerLook; i++) {
      if (random.next() < weight) addEvent(thisLook.canary, canary, random);
      else addEvent(thisLook.stable, stable, random);
    }
    addInto(arms.canary, thisLook.canary);
    addInto(arms.stable, thisLook.stable);
    recent.push(thisLook);
    if (recent.length > recentLooks) recent.shift();
    const [recentCanary, recentStable] = [emptySums(), emptySums()];
    for (const sums of recent) {
      addInto(recentCanary, sums.canary);
      addInto(recentStable, sums.stable);
    }

    const decision = decideLook({
      policy,
      rollout,
      now,
      frozen: false,
      stepBaseline,
      previous,
      readings: { ...arms, recentCanary, recentStable, registered: [] },
    });
    previous = pValuesOf(decision.statistics.tests);
    const ended = (result: Outcome['result'], cause?: string): Outcome => ({
      result,
      cause,
      reason: decision.reason,
      looks: look,
      canarySamples: arms.canary.count,
      lift: decision.statistics.score.lift,
    });
    const { verdict } = decision;
    if (verdict.action === 'rollback') return ended('rolled_back', verdict.cause);
    if (verdict.action === 'retire') return ended('retired', verdict.cause);
    if (verdict.action === 'promote') return ended('promoted');
    if (verdict.action === 'pause') return ended('paused');
    if (verdict.action === 'advance') {
      rollout.stepIndex = verdict.toStep;
      rollout.stepStartedAt = now;
      stepBaseline = { canary: arms.canary.count, stable: arms.stable.count };
    }
  }
  return { result: 'running', looks: maxLooks, canarySamples: arms.canary.count, lift: null };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
