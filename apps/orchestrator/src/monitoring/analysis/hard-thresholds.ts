import type { AutoRollbackPolicy } from '@metaloop/policies';
import { errorRate, finiteOrNull, p95LatencyMs, type ArmSums } from './arm-sums';

export interface HardThresholdCheck {
  name: 'error_rate' | 'p95_latency_ms' | 'complaints';
  /** null: not measured yet (no events, or fewer than the policy's minimum). */
  value: number | null;
  threshold: number;
  n: number;
  breached: boolean;
}

/**
 * Seed 004's hard triggers on the canary's recent window: error rate above 15 % and p95 response
 * time above 10 s (each once `min_samples` events are in), more than 5 complaints in 10 minutes.
 */
export function hardThresholdChecks(policy: AutoRollbackPolicy, recentCanary: ArmSums): HardThresholdCheck[] {
  const enough = (n: number) => n >= policy.min_samples;
  const rate = errorRate(recentCanary);
  const p95 = p95LatencyMs(recentCanary);
  return [
    {
      name: 'error_rate',
      value: finiteOrNull(rate),
      threshold: policy.max_error_rate,
      n: recentCanary.count,
      breached: enough(recentCanary.count) && rate !== undefined && rate > policy.max_error_rate,
    },
    {
      name: 'p95_latency_ms',
      value: finiteOrNull(p95),
      threshold: policy.max_response_time_ms,
      n: recentCanary.latencyCount,
      breached: enough(recentCanary.latencyCount) && p95 !== undefined && p95 > policy.max_response_time_ms,
    },
    {
      name: 'complaints',
      value: recentCanary.complaints,
      threshold: policy.max_complaints.count,
      n: recentCanary.count,
      breached: recentCanary.complaints > policy.max_complaints.count,
    },
  ];
}

export function describeBreach(check: HardThresholdCheck, windowMinutes: number): string {
  switch (check.name) {
    case 'error_rate':
      return `canary error rate ${check.value} > ${check.threshold} over ${check.n} events (last ${windowMinutes} min)`;
    case 'p95_latency_ms':
      return `canary p95 response time ${check.value} ms > ${check.threshold} ms over ${check.n} events (last ${windowMinutes} min)`;
    case 'complaints':
      return `${check.value} canary complaints in the last ${windowMinutes} min, more than ${check.threshold}`;
  }
}
