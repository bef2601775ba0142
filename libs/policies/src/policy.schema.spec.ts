import { policySchema } from './policy.schema';

const defaults = policySchema.parse({});

function issuesOf(input: unknown): string[] {
  const result = policySchema.safeParse(input);
  if (result.success) throw new Error('expected the policy to be rejected');
  return result.error.issues.map((issue) => issue.path.join('.'));
}

describe('policySchema', () => {
  it('has seed 004’s rules as defaults', () => {
    expect(defaults).toMatchObject({
      budgets: {
        mutations_per_hour: { global: 10, per_environment: { dev: 10, staging: 10, prod: 5 } },
        mutations_per_day_by_type: { MODEL_SWAP: 2 },
      },
      concurrency: { max_concurrent_rollouts: 3, max_rollouts_per_agent: 1 },
      cooldown: { per_agent_minutes: 30 },
      confidence: { min: 0.7, min_evidence_events: 10 },
      risk: { max: 8 },
      approval: { high_risk: { required: true, above: 6 }, rules: [{ types: ['MODEL_SWAP'], environments: ['prod'] }] },
      actions: {
        ROUTE_CHANGE: { max_shift_points: 20 },
        PARAM_SET: { bounds: { temperature: { min: 0, max: 1.5 } } },
        per_environment: {},
      },
      thresholds: {
        performance: {
          latency_regression: 0.2,
          success_rate_drop_points: 10,
          response_time: { warning_threshold_ms: 1500, critical_threshold_ms: 3000 },
        },
        satisfaction: {
          min_mean_rating: 3,
          rating: { warning_threshold: 3.5, critical_threshold: 2.5 },
          complaint_burst: { count: 5, window_minutes: 10 },
        },
        usage: { max_share: 0.4, min_share: 0.05 },
        retrain: { new_samples: 1000, quality_drop: 0.1, error_rate: 0.2, schedule_days: 7 },
      },
      auto_rollback: {
        enabled: true,
        max_error_rate: 0.15,
        max_response_time_ms: 10_000,
        max_complaints: { count: 5, window_minutes: 10 },
        alpha: 0.01,
      },
      plans: { expire_after_minutes: 1440, refused_candidate_days: 7 },
      canary: {
        steps: [5, 25, 50, 100],
        analysis_interval_seconds: 30,
        min_samples_per_arm: 100,
        // An inconclusive or long-paused canary frees its slot: retired, the champion kept.
        on_inconclusive: 'retire',
        paused_max_minutes: 240,
        futility_alpha: 0.05,
        promotion: { quality_weight: 0.5, positive_weight: 0.3, latency_weight: 0.2, min_lift: 0.05 },
      },
      freeze: { frozen: false, in_flight: 'hold' },
    });
    expect(defaults.actions.enabled.prod).toEqual([
      'PROMPT_PATCH',
      'MODEL_SWAP',
      'LORA_APPLY',
      'ROUTE_CHANGE',
      'PARAM_SET',
      'MEMORY_UPDATE',
    ]);
  });

  it('fills what a partial section leaves out', () => {
    const policy = policySchema.parse({
      budgets: { mutations_per_hour: { per_environment: { prod: 2 } } },
      canary: { steps: [10, 100] },
    });
    expect(policy.budgets.mutations_per_hour).toEqual({
      global: 10,
      per_environment: { dev: 10, staging: 10, prod: 2 },
    });
    expect(policy.canary).toMatchObject({ steps: [10, 100], min_samples_per_arm: 100 });
  });

  it.each([
    ['a misspelt field', { confidence: { minimum: 0.8 } }, 'confidence'],
    ['a negative budget', { budgets: { mutations_per_hour: { global: -1 } } }, 'budgets.mutations_per_hour.global'],
    [
      'a fractional budget',
      { budgets: { mutations_per_day_by_type: { MODEL_SWAP: 1.5 } } },
      'budgets.mutations_per_day_by_type.MODEL_SWAP',
    ],
    [
      'an unknown environment',
      { budgets: { mutations_per_hour: { per_environment: { qa: 3 } } } },
      'budgets.mutations_per_hour.per_environment',
    ],
    [
      'no concurrent rollouts at all',
      { concurrency: { max_concurrent_rollouts: 0 } },
      'concurrency.max_concurrent_rollouts',
    ],
    ['a confidence above 1', { confidence: { min: 1.2 } }, 'confidence.min'],
    ['a risk of 11', { risk: { max: 11 } }, 'risk.max'],
    [
      'an approval rule of an unknown type',
      { approval: { rules: [{ types: ['DROP_TABLE'], reason: 'x' }] } },
      'approval.rules.0.types.0',
    ],
    [
      'an approval rule without a reason',
      { approval: { rules: [{ types: ['MODEL_SWAP'] }] } },
      'approval.rules.0.reason',
    ],
    ['an unknown type enabled', { actions: { enabled: { prod: ['MODEL_SWAP', 'REBOOT'] } } }, 'actions.enabled.prod.1'],
    [
      'a route shift above 100',
      { actions: { ROUTE_CHANGE: { max_shift_points: 120 } } },
      'actions.ROUTE_CHANGE.max_shift_points',
    ],
    ['a param pattern with spaces', { actions: { PARAM_SET: { forbid: ['api key'] } } }, 'actions.PARAM_SET.forbid.0'],
    [
      'a bound whose min exceeds its max',
      { actions: { PARAM_SET: { bounds: { temperature: { min: 2, max: 1 } } } } },
      'actions.PARAM_SET.bounds.temperature.min',
    ],
    [
      'a per-environment override of an unknown field',
      { actions: { per_environment: { prod: { ROUTE_CHANGE: { max_shift: 5 } } } } },
      'actions.per_environment.prod.ROUTE_CHANGE',
    ],
    [
      'a warning latency above the critical one',
      { thresholds: { performance: { response_time: { warning_threshold_ms: 4000 } } } },
      'thresholds.performance.response_time.warning_threshold_ms',
    ],
    [
      'a critical rating above the warning one',
      { thresholds: { satisfaction: { rating: { critical_threshold: 4 } } } },
      'thresholds.satisfaction.rating.critical_threshold',
    ],
    [
      'a rating outside 1–5',
      { thresholds: { satisfaction: { min_mean_rating: 0 } } },
      'thresholds.satisfaction.min_mean_rating',
    ],
    ['usage shares the wrong way round', { thresholds: { usage: { min_share: 0.5 } } }, 'thresholds.usage.min_share'],
    ['an alpha of 0', { thresholds: { significance: { alpha: 0 } } }, 'thresholds.significance.alpha'],
    ['an error-rate trigger above 1', { auto_rollback: { max_error_rate: 15 } }, 'auto_rollback.max_error_rate'],
    ['canary steps that do not increase', { canary: { steps: [5, 50, 25, 100] } }, 'canary.steps'],
    ['canary steps that stop short of 100', { canary: { steps: [5, 25, 50] } }, 'canary.steps'],
    ['a canary step of 0', { canary: { steps: [0, 100] } }, 'canary.steps.0'],
    ['an unknown inconclusive action', { canary: { on_inconclusive: 'promote' } }, 'canary.on_inconclusive'],
    ['an unknown guarded metric', { canary: { guarded_metrics: ['vibes'] } }, 'canary.guarded_metrics.0'],
    ['a negative promotion lift', { canary: { promotion: { min_lift: -0.1 } } }, 'canary.promotion.min_lift'],
    ['an unknown in-flight freeze action', { freeze: { in_flight: 'ignore' } }, 'freeze.in_flight'],
    ['a document that is not a mapping', [1, 2], ''],
  ])('rejects %s at its field', (_case, input, path) => {
    expect(issuesOf(input)).toContain(path);
  });
});
