import { ENV, percentiles, type DashboardSpec } from '../panel';

const writes = (matchers: string) => `metaloop_examples_writes_total{${matchers}}`;
const perFetch = (part: 'sum' | 'count') => `metaloop_examples_retrieved_per_fetch_${part}{${ENV}}`;

export const learningDashboard: DashboardSpec = {
  uid: 'metaloop-learning',
  title: 'metaloop / Learning',
  description:
    'The learning flywheel: good feedback becoming examples (DICL) and their retrieval on the config path, training datasets and the requests handed to a trainer, per-subject memory, and the weekly/monthly reports.',
  rows: [
    {
      title: 'Examples (DICL)',
      panels: [
        {
          title: 'Examples in memory',
          description:
            "Active examples feedback-api holds in memory for retrieval, over every loaded agent (an agent's examples load on its first config fetch with a query).",
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `sum(metaloop_examples_in_memory{${ENV}})` }],
        },
        {
          title: 'Demotions (1 h)',
          description:
            'Examples demoted in the last hour by a complaint or correction of their session or inference (whichever arrived first): never retrieved again.',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `sum(increase(${writes(`${ENV}, outcome="demotion"`)}[1h]))` }],
        },
        {
          title: 'Example writes by outcome',
          description:
            'What oracle-api’s example store wrote per interval: example (new or better), correction (a corrected output), demotion, capped (over the per-agent cap), expired (retention).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [{ expr: `sum by (outcome) (increase(${writes(ENV)}[$__rate_interval]))`, legend: '{{outcome}}' }],
        },
        {
          title: 'Retrieval latency',
          description:
            "Top-k cosine search over one agent's in-memory examples on feedback-api (the query's embedding not included), p50 / p95 / p99. The goal: under 2 ms at 10,000 examples.",
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_examples_search_duration_seconds', ENV),
        },
        {
          title: 'Examples retrieved per fetch',
          description:
            'Mean examples a config fetch with a query brought back (examples_retrieved, after min_similarity and max_chars), and fetches with a query per second. A mean near 0 with traffic: nothing similar enough is stored.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum(rate(${perFetch('sum')}[$__rate_interval])) / sum(rate(${perFetch('count')}[$__rate_interval]))`,
              legend: 'examples per fetch',
            },
            { expr: `sum(rate(${perFetch('count')}[$__rate_interval]))`, legend: 'fetches with a query /s' },
          ],
        },
        {
          title: 'Example loads by cause',
          description:
            "Reads of an agent's examples from Postgres on feedback-api: miss (first asked for), refresh (examples.changed), message (after deletions), resync (the periodic full read).",
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (via) (increase(metaloop_examples_loads_total{${ENV}}[$__rate_interval]))`,
              legend: '{{via}}',
            },
          ],
        },
        {
          title: 'Example failures',
          description:
            'Config fetches served without examples because retrieval failed, ingested events whose examples could not be derived (embedder or Postgres; the events are stored), and events dropped because the example queue was full. All should stay at 0.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum(increase(metaloop_examples_retrieval_failures_total{${ENV}}[$__rate_interval]))`,
              legend: 'retrieval failed',
            },
            {
              expr: `sum(increase(metaloop_examples_failures_total{${ENV}}[$__rate_interval])) or vector(0)`,
              legend: 'not derived',
            },
            {
              expr: `sum(increase(metaloop_examples_dropped_events_total{${ENV}}[$__rate_interval]))`,
              legend: 'dropped',
            },
          ],
        },
      ],
    },
    {
      title: 'Datasets and training',
      panels: [
        {
          title: 'Datasets built by outcome',
          description:
            'Training datasets oracle-api finished per interval, by trigger (api: POST /datasets, retrain: a retrain finding) and outcome (ready, failed).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (trigger, outcome) (increase(metaloop_datasets_built_total{${ENV}}[$__rate_interval]))`,
              legend: '{{trigger}} {{outcome}}',
            },
          ],
        },
        {
          title: 'Dataset build duration',
          description:
            'Wall time of one dataset build, from the job to the manifest (streamed pages), p50 / p95 / p99.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_dataset_build_duration_seconds', ENV),
        },
        {
          title: 'Dataset lines written by split',
          description:
            'JSONL lines (examples, or preference pairs) written to train and validation files per interval.',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (split) (increase(metaloop_dataset_lines_total{${ENV}}[$__rate_interval]))`,
              legend: '{{split}}',
            },
          ],
        },
        {
          title: 'Training requests by outcome',
          description:
            "Training requests per interval by outcome: requested (the retrain finding's dataset handed to the trainer), skipped (fewer train lines than learning.datasets.min_train_lines: not handed), failed (the build or the delivery's retries gave up), completed (the trainer registered its candidate).",
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (outcome) (increase(metaloop_training_requests_total{${ENV}}[$__rate_interval]))`,
              legend: '{{outcome}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Per-subject memory',
      panels: [
        {
          title: 'Subject memory writes by outcome',
          description:
            'What oracle-api learned about end users (subjects) from ingested feedback per interval: interaction (a HISTORY item), duplicate (a redelivered event, skipped), goal and preference (new or merged), persona_update, pruned (over the caps or past retention).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (outcome) (increase(metaloop_subject_memory_writes_total{${ENV}}[$__rate_interval]))`,
              legend: '{{outcome}}',
            },
          ],
        },
        {
          title: 'Subject memory failures and dropped events',
          description:
            'Ingested events whose subject memory could not be updated (by stage: queue, write) and events not learned from because the queue was full. The events themselves are stored either way.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (stage) (increase(metaloop_subject_memory_failures_total{${ENV}}[$__rate_interval])) or vector(0)`,
              legend: 'failed {{stage}}',
            },
            {
              expr: `sum(increase(metaloop_subject_memory_dropped_events_total{${ENV}}[$__rate_interval]))`,
              legend: 'dropped (queue full)',
            },
          ],
        },
        {
          title: 'Persona model calls by outcome',
          description:
            'Calls to the optional persona model (MEMORY_PERSONA_MODEL_URL): applied (validated deltas used), rejected (an answer that did not validate), failed (no answer). None when no model is configured.',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (outcome) (increase(metaloop_subject_memory_model_calls_total{${ENV}}[$__rate_interval])) or vector(0)`,
              legend: '{{outcome}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Reports',
      panels: [
        {
          title: 'Reports generated',
          description:
            'Weekly and monthly improvement reports generated per interval, by period and trigger (schedule: the reports-generate job; api: POST /api/v1/reports).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (period, trigger) (increase(metaloop_reports_generated_total{${ENV}}[$__rate_interval]))`,
              legend: '{{period}} {{trigger}}',
            },
          ],
        },
        {
          title: 'Fleet success rate (last report)',
          description:
            "Success rate of the last fleet-wide report, by period (the policy's insights.success decides what a success is).",
          unit: 'percentunit',
          type: 'stat',
          queries: [{ expr: `max by (period) (metaloop_report_success_rate{${ENV}})`, legend: '{{period}}' }],
        },
        {
          title: 'Success rate change vs the previous period',
          description:
            'Relative change of the success rate against the previous period in the last fleet-wide report, by period; a fall beyond insights.reports.alert_drop_percent alerts.',
          unit: 'percent',
          type: 'stat',
          queries: [
            { expr: `max by (period) (metaloop_report_success_rate_change_percent{${ENV}})`, legend: '{{period}}' },
          ],
        },
        {
          title: 'Success-drop alerts and webhook deliveries',
          description:
            'Reports whose success rate fell beyond the policy threshold (alert MetaloopReportSuccessDrop), by period, and the calls to REPORT_WEBHOOK_URL by outcome (success, failure).',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (period) (increase(metaloop_report_success_drop_alerts_total{${ENV}}[$__rate_interval]))`,
              legend: 'alert {{period}}',
            },
            {
              expr: `sum by (outcome) (increase(metaloop_report_webhook_deliveries_total{${ENV}}[$__rate_interval])) or vector(0)`,
              legend: 'webhook {{outcome}}',
            },
          ],
        },
      ],
    },
  ],
};
