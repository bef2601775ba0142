import { ENV, ENV_AGENT, percentiles, type DashboardSpec } from '../panel';

export const safetyDashboard: DashboardSpec = {
  uid: 'metaloop-safety',
  title: 'metaloop / Safety',
  description:
    'What protects production: rollouts in flight, rollbacks and how fast they happen, gate failures, freeze and the mutation budget.',
  rows: [
    {
      title: 'Now',
      panels: [
        {
          title: 'Freeze',
          description:
            'On while POST /api/v1/oracle/freeze {frozen: true} holds: no new rollouts and no further canary steps.',
          unit: 'bool_on_off',
          type: 'stat',
          queries: [{ expr: `max(metaloop_freeze_active{${ENV}})` }],
        },
        {
          title: 'Active rollouts',
          description: 'Rollouts pending, running or paused (the policy allows at most 3 at once, one per agent).',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `sum(metaloop_rollouts_active{${ENV}})` }],
        },
        {
          title: 'Mutation budget remaining',
          description:
            'Mutations still allowed in the current window per budget scope; 0 means the rate_budget gate fails every new plan.',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `min by (scope) (metaloop_mutation_budget_remaining{${ENV}})`, legend: '{{scope}}' }],
        },
        {
          title: 'Adapter reverts failing',
          description:
            'Adapter reverts that failed in the last hour (they are retried until done; the routing is already back on stable).',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `sum(increase(metaloop_adapter_revert_failures_total{${ENV}}[1h]))` }],
        },
      ],
    },
    {
      title: 'Rollouts and rollbacks',
      panels: [
        {
          title: 'Canary weight of active rollouts',
          description: 'Share of sessions on the canary per agent: the rollout step (default 5 → 25 → 50 → 100 %).',
          unit: 'percent',
          type: 'timeseries',
          min: 0,
          max: 100,
          queries: [
            {
              expr: `max by (agent_id) (metaloop_rollout_canary_weight_percent{${ENV_AGENT}})`,
              legend: '{{agent_id}}',
            },
          ],
        },
        {
          title: 'Rollbacks by reason',
          description:
            'Rollbacks per interval by reason (hard threshold, comparative test, timeout, manual, emergency) and trigger.',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (reason, trigger) (increase(metaloop_rollbacks_total{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{reason}} ({{trigger}})',
            },
          ],
        },
        {
          title: 'Time to rollback',
          description:
            'From the last look that saw the canary healthy (automatic rollbacks) or the request (an operator’s) to stable served again: routing flipped and config.changed sent.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_rollback_duration_seconds', ENV),
        },
        {
          title: 'Canary step results',
          description:
            'Canary analysis verdicts per interval: pass (next step), fail (rollback), inconclusive (more samples needed).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (result) (increase(metaloop_rollout_step_results_total{${ENV}}[$__rate_interval]))`,
              legend: '{{result}}',
            },
          ],
        },
        {
          title: 'Mutations by type and result',
          description:
            'Mutations executed per interval by type (PROMPT_PATCH, MODEL_SWAP, LORA_APPLY, ROUTE_CHANGE, PARAM_SET, MEMORY_UPDATE) and result.',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (mutation_type, result) (increase(metaloop_mutations_total{${ENV}}[$__rate_interval]))`,
              legend: '{{mutation_type}} {{result}}',
            },
          ],
        },
        {
          title: 'Adapter revert failures',
          description:
            'Failed adapter.revert attempts per interval by mutation type (e.g. a vLLM server refusing to unload a LoRA adapter).',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (mutation_type) (increase(metaloop_adapter_revert_failures_total{${ENV}}[$__rate_interval]))`,
              legend: '{{mutation_type}}',
            },
          ],
        },
        {
          title: 'SPEC-gate failures by gate',
          description:
            'Plans failing each SPEC gate per interval (policy_compliance, confidence_and_evidence, rate_budget, freeze, …).',
          unit: 'short',
          type: 'timeseries',
          width: 24,
          stacked: true,
          queries: [
            {
              expr: `sum by (gate) (increase(metaloop_gate_results_total{${ENV}, status="fail"}[$__rate_interval]))`,
              legend: '{{gate}}',
            },
          ],
        },
      ],
    },
  ],
};
