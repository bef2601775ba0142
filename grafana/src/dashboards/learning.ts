import { awaiting, ENV, percentiles, type DashboardSpec } from '../panel';
import { AWAITS } from './awaits';

const writes = (matchers: string) => `metaloop_examples_writes_total{${matchers}}`;
const perFetch = (part: 'sum' | 'count') => `metaloop_examples_retrieved_per_fetch_${part}{${ENV}}`;

export const learningDashboard: DashboardSpec = {
  uid: 'metaloop-learning',
  title: 'metaloop / Learning',
  description:
    'The learning flywheel: good feedback becoming examples (DICL) and their retrieval on the config path, then training datasets and the requests handed to a trainer.',
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
      panels: awaiting(AWAITS['training']!, [
        {
          title: 'Datasets built by outcome',
          description:
            'Training datasets oracle-api finished per interval, by kind (sft, preference) and outcome (ready, failed).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (kind, outcome) (increase(metaloop_datasets_built_total{${ENV}}[$__rate_interval]))`,
              legend: '{{kind}} {{outcome}}',
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
          title: 'Training requests by status',
          description:
            'Training requests per interval as they reach each status: requested (a retrain finding), delivered (the trainer answered 2xx), failed (retries used up), completed (the trainer registered its candidate).',
          unit: 'short',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (status) (increase(metaloop_training_requests_total{${ENV}}[$__rate_interval]))`,
              legend: '{{status}}',
            },
          ],
        },
      ]),
    },
  ],
};
