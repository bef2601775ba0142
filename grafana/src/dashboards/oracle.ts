import { ENV, ENV_AGENT, percentiles, type DashboardSpec } from '../panel';

export const oracleDashboard: DashboardSpec = {
  uid: 'metaloop-oracle',
  title: 'metaloop / Oracle',
  description: 'The meta-loop: ticks, what the analyzer found, the plans it made and what the SPEC gates said.',
  rows: [
    {
      title: 'Ticks',
      panels: [
        {
          title: 'Since the last successful tick',
          description:
            'Time since a tick (analyze → plan → validate → execute) last completed. Far above the tick interval means the scheduler or the tick is broken.',
          unit: 's',
          type: 'stat',
          queries: [{ expr: `time() - max(metaloop_oracle_tick_last_success_timestamp_seconds{${ENV}})` }],
        },
        {
          title: 'Ticks by outcome',
          description:
            'Ticks per interval by outcome: success, failure, or skipped (another replica held the single-flight lock).',
          unit: 'short',
          type: 'timeseries',
          width: 18,
          stacked: true,
          queries: [
            {
              expr: `sum by (outcome) (increase(metaloop_oracle_ticks_total{${ENV}}[$__rate_interval]))`,
              legend: '{{outcome}}',
            },
          ],
        },
        {
          title: 'Tick duration',
          description: 'Wall time of a whole tick, from the lock to the last plan handed to the orchestrator.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_oracle_tick_duration_seconds', ENV),
        },
        {
          title: 'Analysis duration',
          description: 'Time the analyzer takes over the hourly and per-minute rollups (never raw events), per run.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_oracle_analysis_duration_seconds', ENV),
        },
      ],
    },
    {
      title: 'Findings, plans and gates',
      panels: [
        {
          title: 'Findings by type',
          description:
            'Findings reported per interval by type (performance_degradation, dissatisfaction, complaint_burst, usage_imbalance, retrain_trigger, cost_opportunity), new or an open one counted again.',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (type) (increase(metaloop_oracle_findings_total{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{type}}',
            },
          ],
        },
        {
          title: 'Plans by status',
          description:
            'Plans currently in each status (draft, validated, blocked, awaiting_approval, approved, queued, executing, completed, …).',
          unit: 'short',
          type: 'timeseries',
          queries: [{ expr: `sum by (status) (metaloop_oracle_plans{${ENV}})`, legend: '{{status}}' }],
        },
        {
          title: 'Gate results by gate',
          description: 'SPEC-gate verdicts per interval by gate and status (pass, fail, needs_approval).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (gate, status) (increase(metaloop_gate_results_total{${ENV}}[$__rate_interval]))`,
              legend: '{{gate}} {{status}}',
            },
          ],
        },
        {
          title: 'Plan validations by outcome',
          description:
            'SPEC-gate validations of plans per interval by outcome: passed, needs_approval (waits for a person), blocked.',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (outcome) (increase(metaloop_plan_validations_total{${ENV}}[$__rate_interval]))`,
              legend: '{{outcome}}',
            },
          ],
        },
        {
          title: 'Approvals waiting',
          description: 'Plans waiting for a person (POST /api/v1/oracle/plans/{id}/approve or reject).',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `sum(metaloop_oracle_plans{${ENV}, status="awaiting_approval"})` }],
        },
        {
          title: 'Mutation budget remaining',
          description:
            'Mutations still allowed in the current window, per budget scope (global, per environment, per action). 0 blocks new plans at the rate_budget gate.',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `min by (scope) (metaloop_mutation_budget_remaining{${ENV}})`, legend: '{{scope}}' }],
        },
      ],
    },
  ],
};
