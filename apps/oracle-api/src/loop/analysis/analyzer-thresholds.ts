import type { AnalyzerThresholds as PolicyThresholds } from '@metaloop/policies';

/**
 * What the analyzer calls a problem, one plain object. Defaults equal the policy defaults
 * (seed 004 and seed 001); `analyzerThresholdsFromPolicy` maps the policy's `thresholds`.
 */
export interface AnalyzerThresholds {
  /**
   * Level of the Benjamini–Hochberg correction over every test one analysis runs (all agents,
   * revisions and detectors together): pure noise across many agents stays quiet.
   */
  alpha: number;
  /** Fewer observations in a window than this: no test (the normal approximations need them). */
  min_samples: number;
  /** The latency quantile watched for regressions (0.95 = p95). */
  latency_quantile: number;
  /** Performance degradation: the quantile up by more than this many percent… */
  latency_regression_pct: number;
  /** …or the success rate down by more than this many points. */
  success_drop_points: number;
  /** Dissatisfaction: mean rating (1–5) below this. */
  min_rating: number;
  /** Complaint burst: more than this many complaints… */
  complaint_burst_count: number;
  /** …within the last this many minutes. */
  complaint_burst_window_minutes: number;
  /** Usage imbalance among the agents of one environment with traffic: a share above this percent… */
  usage_share_max_pct: number;
  /** …or below this percent and below half the even share (so 30 equal agents are not all "underused"). */
  usage_share_min_pct: number;
  /** Usage shares are judged only in environments with at least this many agents with traffic. */
  usage_min_agents: number;
  /** Retrain triggers (seed 001). */
  retrain: {
    /** New quality samples (events with a success score) since the last trigger or export. */
    min_new_samples: number;
    /** Mean quality (success score) down by more than this many percent against the baseline. */
    quality_drop_pct: number;
    /** Error rate in the window above this percent. */
    error_rate_pct: number;
    /** Scheduled retrain after this many days without one. */
    schedule_days: number;
    /** No trigger within this many hours of the last one. */
    cooldown_hours: number;
  };
  /** Cost opportunity: a registered cheaper model whose measured quality is not worse. */
  cost: {
    /** Expected cost per request at least this many percent below the current model's. */
    min_savings_pct: number;
    /** Non-inferiority margin on the success rate, in points. */
    quality_margin_points: number;
  };
}

export const DEFAULT_ANALYZER_THRESHOLDS: AnalyzerThresholds = {
  alpha: 0.01,
  min_samples: 30,
  latency_quantile: 0.95,
  latency_regression_pct: 20,
  success_drop_points: 10,
  min_rating: 3.0,
  complaint_burst_count: 5,
  complaint_burst_window_minutes: 10,
  usage_share_max_pct: 40,
  usage_share_min_pct: 5,
  usage_min_agents: 3,
  retrain: { min_new_samples: 1000, quality_drop_pct: 10, error_rate_pct: 20, schedule_days: 7, cooldown_hours: 24 },
  cost: { min_savings_pct: 10, quality_margin_points: 2 },
};

/**
 * The policy file's `thresholds` (fractions, its own grouping) as the analyzer's. What the
 * policy does not carry keeps its default: the watched quantile, the usage minimum of agents,
 * the cost quality margin. The policy's severity grades are not used: a finding's severity
 * says how far past its threshold it is.
 */
export function analyzerThresholdsFromPolicy(
  policy: PolicyThresholds,
  defaults: AnalyzerThresholds = DEFAULT_ANALYZER_THRESHOLDS,
): AnalyzerThresholds {
  return {
    ...defaults,
    alpha: policy.significance.alpha,
    min_samples: policy.min_samples,
    latency_regression_pct: 100 * policy.performance.latency_regression,
    success_drop_points: policy.performance.success_rate_drop_points,
    min_rating: policy.satisfaction.min_mean_rating,
    complaint_burst_count: policy.satisfaction.complaint_burst.count,
    complaint_burst_window_minutes: policy.satisfaction.complaint_burst.window_minutes,
    usage_share_max_pct: 100 * policy.usage.max_share,
    usage_share_min_pct: 100 * policy.usage.min_share,
    retrain: {
      min_new_samples: policy.retrain.new_samples,
      quality_drop_pct: 100 * policy.retrain.quality_drop,
      error_rate_pct: 100 * policy.retrain.error_rate,
      schedule_days: policy.retrain.schedule_days,
      cooldown_hours: policy.retrain.cooldown_hours,
    },
    cost: { ...defaults.cost, min_savings_pct: 100 * policy.cost.min_savings },
  };
}
