import { ENV, ENV_AGENT, percentiles, type DashboardSpec } from '../panel';

const events = (matchers: string) => `metaloop_feedback_events_total{${matchers}}`;

export const feedbackDashboard: DashboardSpec = {
  uid: 'metaloop-feedback',
  title: 'metaloop / Feedback',
  description: 'Feedback intake at feedback-api, the JetStream hop and the ingest consumer writing it to Postgres.',
  rows: [
    {
      title: 'Intake',
      panels: [
        {
          title: 'Events accepted',
          description: 'Feedback and system-metric events answered 202 (durable in JetStream) per second.',
          unit: 'eps',
          type: 'stat',
          queries: [{ expr: `sum(rate(${events(`${ENV_AGENT}, result="accepted"`)}[$__rate_interval]))` }],
        },
        {
          title: 'Rejected share',
          description:
            'Share of events rejected with field errors (bad input from a client). A rise usually means a client change.',
          unit: 'percentunit',
          type: 'stat',
          queries: [
            {
              expr: `(sum(rate(${events(`${ENV_AGENT}, result="rejected"`)}[$__rate_interval])) or vector(0)) / sum(rate(${events(ENV_AGENT)}[$__rate_interval]))`,
            },
          ],
        },
        {
          title: 'Consumer lag',
          description:
            'Messages of the oracle-ingest consumer not yet written: undelivered plus delivered but unacknowledged.',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `max(metaloop_ingest_consumer_pending{${ENV}})` }],
        },
        {
          title: 'Dead letters waiting',
          description:
            'Messages in the dead-letter stream waiting for an operator (GET /api/v1/oracle/dlq, POST /api/v1/oracle/dlq/replay).',
          unit: 'short',
          type: 'stat',
          queries: [{ expr: `max(metaloop_dlq_depth{${ENV}})` }],
        },
        {
          title: 'Events by kind and agent',
          description:
            'Events per second by kind (explicit, implicit, system) and agent (the source, for system metrics), all results.',
          unit: 'eps',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (kind, agent_id) (rate(${events(ENV_AGENT)}[$__rate_interval]))`,
              legend: '{{kind}} {{agent_id}}',
            },
          ],
        },
        {
          title: 'Accepted, duplicate, rejected',
          description:
            'Events per second by result: accepted (new), duplicate (a client event_id seen before: answered, not stored twice), rejected (bad input).',
          unit: 'eps',
          type: 'timeseries',
          stacked: true,
          queries: [{ expr: `sum by (result) (rate(${events(ENV_AGENT)}[$__rate_interval]))`, legend: '{{result}}' }],
        },
      ],
    },
    {
      title: 'JetStream and ingest',
      panels: [
        {
          title: 'Consumer lag over time',
          description:
            'Backlog of the oracle-ingest consumer over time. Flat or falling is healthy; steadily rising means the consumer cannot keep up.',
          unit: 'short',
          type: 'timeseries',
          queries: [{ expr: `max(metaloop_ingest_consumer_pending{${ENV}})`, legend: 'pending messages' }],
        },
        {
          title: 'Events written to Postgres',
          description:
            'Events the ingest consumer wrote per second, by type and result (inserted, or duplicate: stored before, e.g. a redelivery).',
          unit: 'eps',
          type: 'timeseries',
          stacked: true,
          queries: [
            {
              expr: `sum by (type, result) (rate(metaloop_ingest_events_total{${ENV}}[$__rate_interval]))`,
              legend: '{{type}} {{result}}',
            },
          ],
        },
        {
          title: 'Dead letters',
          description:
            'Messages moved to the dead-letter stream per interval, by reason (malformed, max_deliveries), and how many wait there.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (reason) (increase(metaloop_ingest_dead_letters_total{${ENV}}[$__rate_interval]))`,
              legend: 'moved: {{reason}}',
            },
            { expr: `max(metaloop_dlq_depth{${ENV}})`, legend: 'waiting' },
          ],
        },
        {
          title: 'Publish latency (JetStream ack)',
          description:
            'Time from publishing a group-commit message to its JetStream ack; a 202 waits for it. Over PUBLISH_TIMEOUT_MS the request answers 503.',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_feedback_publish_duration_seconds', ENV),
        },
        {
          title: 'Events per published message',
          description: 'Group commit: how many events one JetStream message (one ack) carries.',
          unit: 'short',
          type: 'timeseries',
          queries: percentiles('metaloop_feedback_batch_events', ENV),
        },
        {
          title: 'Messages per ingest batch',
          description: 'Messages (envelopes) per ingest fetch batch; one batch is written in one transaction.',
          unit: 'short',
          type: 'timeseries',
          queries: percentiles('metaloop_ingest_batch_messages', ENV),
        },
        {
          title: 'Ingest batch duration',
          description:
            'Time to process one fetch batch, from parse to the last ack, by outcome (committed, isolated: a message failed and was retried alone, abandoned).',
          unit: 's',
          type: 'timeseries',
          queries: percentiles('metaloop_ingest_batch_duration_seconds', ENV, ['outcome']),
        },
      ],
    },
    {
      title: 'Retention',
      panels: [
        {
          title: 'Retention purges',
          description:
            'Raw-event purge runs by outcome (one replica runs each schedule). Failures are retried by the next run.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (outcome) (increase(metaloop_retention_purge_runs_total{${ENV}}[1h]))`,
              legend: '{{outcome}} per hour',
            },
          ],
        },
        {
          title: 'Raw rows purged',
          description:
            'Raw rows deleted by the retention purge per hour, by table; per-minute rollups are never purged.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (table) (increase(metaloop_retention_rows_deleted_total{${ENV}}[1h]))`,
              legend: '{{table}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Quality signals',
      panels: [
        {
          title: 'Mean rating by agent',
          description: 'Mean explicit rating (1–5) per agent over the interval.',
          unit: 'none',
          type: 'timeseries',
          min: 1,
          max: 5,
          queries: [
            {
              expr: `sum by (agent_id) (rate(metaloop_feedback_rating_sum{${ENV_AGENT}}[$__rate_interval])) / sum by (agent_id) (rate(metaloop_feedback_rating_count{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{agent_id}}',
            },
          ],
        },
        {
          title: 'Helpful share by agent',
          description: 'Share of explicit feedback marked helpful, per agent.',
          unit: 'percentunit',
          type: 'timeseries',
          min: 0,
          max: 1,
          queries: [
            {
              expr: `sum by (agent_id) (rate(metaloop_feedback_helpful_total{${ENV_AGENT}, helpful="true"}[$__rate_interval])) / sum by (agent_id) (rate(metaloop_feedback_helpful_total{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{agent_id}}',
            },
          ],
        },
        {
          title: 'Complaints by agent',
          description:
            'Feedback events carrying a complaint, per agent and interval. More than 5 in 10 minutes on a canary rolls it back.',
          unit: 'short',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (agent_id) (increase(metaloop_feedback_complaints_total{${ENV_AGENT}}[$__rate_interval]))`,
              legend: '{{agent_id}}',
            },
          ],
        },
      ],
    },
  ],
};
