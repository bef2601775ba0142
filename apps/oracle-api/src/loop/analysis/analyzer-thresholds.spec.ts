import { policySchema } from '@metaloop/policies';
import { analyzerThresholdsFromPolicy, DEFAULT_ANALYZER_THRESHOLDS } from './analyzer-thresholds';

describe('analyzer thresholds from the policy', () => {
  it('the default policy gives exactly the analyzer defaults', () => {
    expect(analyzerThresholdsFromPolicy(policySchema.parse({}).thresholds)).toEqual(DEFAULT_ANALYZER_THRESHOLDS);
  });

  it('carries every value the policy sets, fractions as percent', () => {
    const policy = policySchema.parse({
      thresholds: {
        significance: { alpha: 0.05 },
        min_samples: 50,
        performance: { latency_regression: 0.3, success_rate_drop_points: 5 },
        satisfaction: { min_mean_rating: 3.5, complaint_burst: { count: 8, window_minutes: 15 } },
        usage: { max_share: 0.5, min_share: 0.02 },
        retrain: { new_samples: 500, quality_drop: 0.15, error_rate: 0.25, schedule_days: 14, cooldown_hours: 48 },
        cost: { min_savings: 0.2 },
      },
    });
    expect(analyzerThresholdsFromPolicy(policy.thresholds)).toEqual({
      ...DEFAULT_ANALYZER_THRESHOLDS,
      alpha: 0.05,
      min_samples: 50,
      latency_regression_pct: 30,
      success_drop_points: 5,
      min_rating: 3.5,
      complaint_burst_count: 8,
      complaint_burst_window_minutes: 15,
      usage_share_max_pct: 50,
      usage_share_min_pct: 2,
      retrain: {
        min_new_samples: 500,
        quality_drop_pct: 15,
        error_rate_pct: 25,
        schedule_days: 14,
        cooldown_hours: 48,
      },
      cost: { min_savings_pct: 20, quality_margin_points: 2 },
    });
  });
});
