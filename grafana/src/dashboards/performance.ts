import { ENV, ENV_AGENT, percentiles, type DashboardSpec } from '../panel';

const http = (matchers: string) => `http_request_duration_seconds_count{${matchers}}`;
const ARMS = ['agent_id', 'arm', 'revision_id'];

export const performanceDashboard: DashboardSpec = {
  uid: 'metaloop-performance',
  title: 'metaloop / Performance',
  description:
    'How the agents perform per revision (stable and canary side by side), and how the metaloop apps themselves perform.',
  rows: [
    {
      title: 'Agents: stable vs canary',
      panels: [
        {
          title: 'Agent response time by revision',
          description:
            'Response time the agents reported in implicit feedback, per agent, arm (stable, canary) and revision.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_agent_response_seconds', ENV_AGENT, ARMS),
        },
        {
          title: 'Agent success rate by revision',
          description:
            'Success the agents report in implicit feedback (success, or success_rate), per agent, arm and revision.',
          unit: 'percentunit',
          type: 'timeseries',
          min: 0,
          max: 1,
          queries: [
            {
              expr: `sum by (agent_id, arm, revision_id) (rate(metaloop_agent_successes_total{${ENV_AGENT}}[$__rate_interval])) / sum by (agent_id, arm, revision_id) (rate(metaloop_agent_outcomes_total{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{agent_id}} {{arm}} {{revision_id}}',
            },
          ],
        },
      ],
    },
    {
      title: 'metaloop HTTP',
      panels: [
        {
          title: 'HTTP latency by app',
          description: 'Server-side request duration of each metaloop app (all routes), p50 / p95 / p99.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('http_request_duration_seconds', ENV, ['app']),
        },
        {
          title: 'HTTP requests by app and status',
          description: 'Requests per second answered by each app, by status code.',
          unit: 'reqps',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (app, status_code) (rate(${http(ENV)}[$__rate_interval]))`,
              legend: '{{app}} {{status_code}}',
            },
          ],
        },
        {
          title: 'Server errors by app',
          description:
            'Share of responses that are 5xx, per app. Bad input is a 4xx by design, so any 5xx is worth a look.',
          unit: 'percentunit',
          type: 'timeseries',
          min: 0,
          queries: [
            {
              expr: `(sum by (app) (rate(${http(`${ENV}, status_code=~"5.."`)}[$__rate_interval])) or 0 * sum by (app) (rate(${http(ENV)}[$__rate_interval]))) / sum by (app) (rate(${http(ENV)}[$__rate_interval]))`,
              legend: '{{app}}',
            },
          ],
        },
        {
          title: 'Slowest routes (p99)',
          description: 'The ten slowest route templates across the apps by p99 duration.',
          unit: 's',
          type: 'timeseries',
          queries: [
            {
              expr: `topk(10, histogram_quantile(0.99, sum by (le, app, method, route) (rate(http_request_duration_seconds_bucket{${ENV}}[$__rate_interval]))))`,
              legend: '{{app}} {{method}} {{route}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Config delivery',
      panels: [
        {
          title: 'Config requests by arm',
          description: 'GET /api/v1/agents/{id}/config per second, by the arm served (stable, canary).',
          unit: 'reqps',
          type: 'timeseries',
          width: 8,
          stacked: true,
          queries: [
            {
              expr: `sum by (arm) (rate(metaloop_config_requests_total{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{arm}}',
            },
          ],
        },
        {
          title: 'Config cache hit ratio',
          description:
            'Share of config requests answered from the in-memory cache (kept fresh by config.changed); the rest named an agent that is not registered (404). Postgres is never asked.',
          unit: 'percentunit',
          type: 'timeseries',
          width: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: `sum(rate(metaloop_config_requests_total{${ENV}, result!="not_found"}[$__rate_interval])) / sum(rate(metaloop_config_requests_total{${ENV}}[$__rate_interval]))`,
              legend: 'hit ratio',
            },
          ],
        },
        {
          title: 'Config propagation delay',
          description:
            'Time from a config change (config.changed published) to the cache update on a feedback-api replica.',
          unit: 's',
          type: 'timeseries',
          width: 8,
          queries: percentiles('metaloop_config_propagation_seconds', ENV),
        },
      ],
    },
    {
      title: 'Processes',
      panels: [
        {
          title: 'CPU by app',
          description: 'CPU time per second of each app process (1 = one core busy).',
          unit: 'percentunit',
          type: 'timeseries',
          width: 8,
          queries: [
            {
              expr: `sum by (app, instance) (rate(process_cpu_seconds_total{${ENV}}[$__rate_interval]))`,
              legend: '{{app}} {{instance}}',
            },
          ],
        },
        {
          title: 'Resident memory by app',
          description: 'Resident set size of each app process.',
          unit: 'bytes',
          type: 'timeseries',
          width: 8,
          queries: [
            { expr: `max by (app, instance) (process_resident_memory_bytes{${ENV}})`, legend: '{{app}} {{instance}}' },
          ],
        },
        {
          title: 'Event-loop lag p99',
          description:
            'Node.js event-loop delay p99 per process; sustained values over a few ms mean the process is CPU-bound.',
          unit: 's',
          type: 'timeseries',
          width: 8,
          queries: [
            {
              expr: `max by (app, instance) (nodejs_eventloop_lag_p99_seconds{${ENV}})`,
              legend: '{{app}} {{instance}}',
            },
          ],
        },
      ],
    },
  ],
};
