import { connectJetStream } from '@metaloop/messaging';
import { uuidv7 } from '@metaloop/core';
import { eventually, testEnv } from '@metaloop/testing';
import type { Mesh } from '../../../e2e/src/mesh';
import {
  canarySession,
  promptMutation,
  queuePlan,
  registerAgent,
  waitForRollout,
} from '../../../e2e/src/rollout-driver';

export interface TrafficStep {
  name: string;
  run(mesh: Mesh): Promise<void>;
  /** PromQL that returns data once Prometheus has scraped the effect of `round` runs of the step. */
  settled(round: number): string;
}

const AGENTS = ['helpful_assistant', 'code_reviewer'] as const;

async function post(
  mesh: Mesh,
  path: string,
  body: unknown,
  expected: number,
  app: keyof Mesh['apps'] = 'feedback-api',
): Promise<Response> {
  const response = await fetch(`${mesh.apps[app].url}${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (response.status !== expected)
    throw new Error(`POST ${path}: expected ${expected}, got ${response.status} ${await response.text()}`);
  return response;
}

const feedback = (agent: string, i: number) => ({
  agent_id: agent,
  session_id: `session_${i % 7}`,
  explicit:
    i % 3 === 0
      ? { rating: 1 + (i % 5), helpful: i % 2 === 0, ...(i % 4 === 0 ? { complaint: 'too verbose' } : {}) }
      : undefined,
  implicit: { response_time_ms: 80 + i * 13, success: i % 5 !== 0 },
});

/**
 * What the Prometheus proof drives through the mesh, in order, in rounds (a rate() needs a
 * series to grow between scrapes, and most series appear only with the first round): each
 * step is a kind of traffic the dashboards and alerts must see. Metrics that arrive with later
 * issues get their own step here.
 */
export const TRAFFIC: TrafficStep[] = [
  {
    name: 'explicit and implicit feedback from two agents, single and bulk',
    run: async (mesh) => {
      for (const agent of AGENTS) {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => post(mesh, '/api/v1/feedback/collect', feedback(agent, i), 202)),
        );
        await post(
          mesh,
          '/api/v1/feedback/collect/bulk',
          { events: Array.from({ length: 50 }, (_, i) => feedback(agent, i)) },
          202,
        );
      }
    },
    settled: (round) => `sum(metaloop_ingest_events_total{type="feedback", result="inserted"}) >= ${140 * round}`,
  },
  {
    name: 'a client retry: the same event_id twice',
    run: async (mesh) => {
      const event = { ...feedback(AGENTS[0], 1), event_id: uuidv7() };
      await post(mesh, '/api/v1/feedback/collect', event, 202);
      await post(mesh, '/api/v1/feedback/collect', event, 202);
    },
    settled: (round) => `sum(metaloop_feedback_events_total{result="duplicate"}) >= ${round}`,
  },
  {
    name: 'rejected input: a bad event, and a bulk request with one bad item',
    run: async (mesh) => {
      await post(
        mesh,
        '/api/v1/feedback/collect',
        { agent_id: AGENTS[1], session_id: 's', explicit: { rating: 9 } },
        400,
      );
      await post(
        mesh,
        '/api/v1/feedback/collect/bulk',
        { events: [feedback(AGENTS[1], 2), { agent_id: AGENTS[1] }] },
        202,
      );
    },
    settled: (round) => `sum(metaloop_feedback_events_total{result="rejected"}) >= ${round}`,
  },
  {
    name: 'a system metric',
    run: async (mesh) => {
      await post(
        mesh,
        '/api/v1/feedback/system/metric',
        { source: 'gateway', name: 'queue_depth', value: 3, unit: 'messages' },
        202,
      );
    },
    settled: (round) => `sum(metaloop_ingest_events_total{type="system"}) >= ${round}`,
  },
  {
    name: 'a malformed message on the FEEDBACK stream, which is dead-lettered',
    run: async (mesh) => {
      const nats = await connectJetStream({
        servers: testEnv.TEST_NATS_URL,
        name: 'deploy-traffic',
        prefix: mesh.schema.schema,
      });
      try {
        await nats.js.publish(nats.topology.subjects.feedback('explicit', AGENTS[0]), 'not json');
      } finally {
        await nats.nc.close();
      }
    },
    settled: (round) => `max(metaloop_dlq_depth) >= ${round}`,
  },
  {
    // Users of a third agent rate it 1 or 2: a mean rating below 3 is dissatisfaction. (The
    // complaints above are no burst: a burst is more than the agent's own rate predicts.)
    name: 'an analysis that finds unhappy users, once ingest has stored their feedback',
    run: async (mesh) => {
      const unhappy = Array.from({ length: 40 }, (_, i) => ({
        agent_id: 'unhappy_assistant',
        session_id: `u${i}`,
        explicit: { rating: 1 + (i % 2) },
      }));
      await post(mesh, '/api/v1/feedback/collect/bulk', { events: unhappy }, 202);
      await eventually(
        async () => {
          const response = await post(mesh, '/api/v1/oracle/analyze', { time_window_hours: 1 }, 200, 'oracle-api');
          const { analysis } = (await response.json()) as { analysis: { findings: unknown[] } };
          if (analysis.findings.length === 0) throw new Error('no finding yet: the feedback is not ingested');
        },
        20_000,
        250,
      );
    },
    settled: (round) =>
      `sum(metaloop_oracle_findings_total) >= ${round} and on() sum(metaloop_oracle_analysis_duration_seconds_count) >= ${round}`,
  },
  {
    name: 'an agent registered on oracle-api, then its config fetched from feedback-api (and one unknown agent)',
    run: async (mesh) => {
      const agentId = `cfg-${uuidv7()}`;
      const config = { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'You are a helpful assistant.' } };
      await post(mesh, '/api/v1/agents', { agent_id: agentId, environment: 'dev', config }, 201, 'oracle-api');
      const fetchConfig = (agent: string, session: string) =>
        fetch(`${mesh.apps['feedback-api'].url}/api/v1/agents/${agent}/config?session_id=${session}`);
      // feedback-api learns of the agent from config.changed, a moment after the 201.
      await eventually(async () => expect((await fetchConfig(agentId, 's0')).status).toBe(200));
      for (let i = 1; i <= 5; i++) expect((await fetchConfig(agentId, `s${i}`)).status).toBe(200);
      expect((await fetchConfig('not-registered', 's0')).status).toBe(404);
    },
    settled: (round) =>
      `sum(metaloop_config_propagation_seconds_count{via="message"}) >= ${round} and sum(metaloop_config_requests_total{result="not_found"}) >= ${round}`,
  },
  {
    name: 'feedback from the sessions of a registered agent, attributed to the revision their arm serves',
    run: async (mesh) => {
      // One agent for every round, so its series grow between scrapes (a rate needs that).
      const registered = await fetch(`${mesh.apps['oracle-api'].url}/api/v1/agents/dashboard_agent`);
      if (registered.status === 404) {
        const config = { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'You are a helpful assistant.' } };
        await post(
          mesh,
          '/api/v1/agents',
          { agent_id: 'dashboard_agent', environment: 'dev', config },
          201,
          'oracle-api',
        );
      }
      await eventually(async () =>
        expect(
          (await fetch(`${mesh.apps['feedback-api'].url}/api/v1/agents/dashboard_agent/config?session_id=s0`)).status,
        ).toBe(200),
      );
      for (let i = 0; i < 10; i++) await post(mesh, '/api/v1/feedback/collect', feedback('dashboard_agent', i), 202);
    },
    settled: (round) => `sum(metaloop_agent_outcomes_total{agent_id="dashboard_agent"}) >= ${10 * round}`,
  },
  {
    name: 'a plan posted for validation (refused: it rests on no evidence) and a tick run by REST',
    run: async (mesh) => {
      const agentId = `plan-${uuidv7()}`;
      const config = { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'You are a helpful assistant.' } };
      await post(mesh, '/api/v1/agents', { agent_id: agentId, environment: 'dev', config }, 201, 'oracle-api');
      await post(
        mesh,
        `/api/v1/agents/${agentId}/candidates`,
        { type: 'prompt', version: 'v2', template: 'You are a concise assistant.' },
        201,
        'oracle-api',
      );
      const mutation = {
        type: 'PROMPT_PATCH',
        agent_id: agentId,
        params: { source: 'candidate', version: 'v2' },
        confidence: 0.9,
        risk: 3,
        expected_impact: { metric: 'rating', direction: 'increase', relative_change: 0.1 },
        rationale: 'an operator wants the concise prompt',
      };
      const plan = { mutations: [mutation], confidence: 0.9, risk: 3, rationale: 'operator request' };
      const validation = (await (await post(mesh, '/api/v1/oracle/validate', { plan }, 200, 'oracle-api')).json()) as {
        overall_passed: boolean;
      };
      expect(validation.overall_passed).toBe(false);
      await post(mesh, '/api/v1/oracle/tick', undefined, 200, 'oracle-api');
    },
    settled: (round) =>
      `sum(metaloop_plan_validations_total{outcome="blocked"}) >= ${round} and on() sum(metaloop_oracle_ticks_total{trigger="api"}) >= ${round} and on() max(metaloop_oracle_tick_last_success_timestamp_seconds) > 0`,
  },
  {
    name: 'feedback with artifacts becomes examples (a complaint demotes one), then config fetches with a query retrieve them',
    run: async (mesh) => {
      // One agent for every round, so its series grow between scrapes; new contents each round.
      const agentId = 'dicl_agent';
      const registered = await fetch(`${mesh.apps['oracle-api'].url}/api/v1/agents/${agentId}`);
      if (registered.status === 404) {
        const config = {
          model: 'gpt-4o-mini',
          prompt: { version: 'v1', template: 'You are a helpful assistant.' },
          dynamic_examples: { k: 2, min_similarity: 0.1, max_chars: 2_000 },
        };
        await post(mesh, '/api/v1/agents', { agent_id: agentId, environment: 'dev', config }, 201, 'oracle-api');
      }
      const round = uuidv7();
      const good = (topic: string) => ({
        agent_id: agentId,
        session_id: `dicl-${round}-${topic}`,
        explicit: { rating: 5, helpful: true },
        artifacts: { input: `How do I ${topic}? (${round})`, output: `To ${topic}, open Settings.` },
      });
      const topics = ['reset my password', 'change my email address', 'cancel the subscription'];
      await post(mesh, '/api/v1/feedback/collect/bulk', { events: topics.map(good) }, 202);
      await post(
        mesh,
        '/api/v1/feedback/collect',
        { agent_id: agentId, session_id: good(topics[2]!).session_id, explicit: { complaint: 'wrong answer' } },
        202,
      );
      const configWithQuery = () =>
        fetch(
          `${mesh.apps['feedback-api'].url}/api/v1/agents/${agentId}/config?session_id=s0&query=${encodeURIComponent(`reset my password ${round}`)}`,
        );
      // oracle-api stores the examples after ingest; feedback-api reloads them on examples.changed.
      await eventually(
        async () => {
          const body = (await (await configWithQuery()).json()) as { examples_retrieved?: Array<{ input: string }> };
          if (!body.examples_retrieved?.some((example) => example.input.includes(round)))
            throw new Error('the examples of this round are not retrieved yet');
        },
        20_000,
        250,
      );
      for (let i = 0; i < 4; i++) expect((await configWithQuery()).status).toBe(200);
    },
    settled: (round) =>
      `sum(metaloop_examples_writes_total{outcome="example"}) >= ${3 * round} and on() sum(metaloop_examples_writes_total{outcome="demotion"}) >= ${round} and on() sum(metaloop_examples_retrieved_per_fetch_count) >= ${5 * round}`,
  },
  {
    name: "a training dataset built of the DICL agent's feedback (POST /datasets), until it is ready",
    run: async (mesh) => {
      const oracle = mesh.apps['oracle-api'].url;
      const created = (await (
        await post(mesh, '/api/v1/datasets', { agent_id: 'dicl_agent' }, 202, 'oracle-api')
      ).json()) as {
        dataset_id: string;
      };
      await eventually(
        async () => {
          const dataset = (await (await fetch(`${oracle}/api/v1/datasets/${created.dataset_id}`)).json()) as {
            status: string;
          };
          expect(dataset.status).toBe('ready');
        },
        20_000,
        250,
      );
    },
    settled: (round) =>
      `sum(metaloop_datasets_built_total{outcome="ready"}) >= ${round} and on() sum(metaloop_dataset_build_duration_seconds_count) >= ${round} and on() sum(metaloop_dataset_lines_total) > 0`,
  },
  {
    name: 'a subject picks an option the agent offered: per-subject memory learns an interaction, a goal and a preference',
    run: async (mesh) => {
      await post(
        mesh,
        '/api/v1/feedback/collect',
        {
          agent_id: 'memory_agent',
          session_id: `memory-${uuidv7()}`,
          subject_id: `subject-${uuidv7()}`,
          artifacts: { input: 'deploy api' },
          explicit: {
            selection: {
              selected_id: 'h2',
              options: [
                { id: 'h1', text: 'Do you want to deploy your REST API to AWS?', confidence: 0.85 },
                { id: 'h2', text: 'Do you want to containerize with Docker?', confidence: 0.78 },
              ],
            },
          },
        },
        202,
      );
    },
    settled: (round) => `sum(metaloop_subject_memory_writes_total{outcome="interaction"}) >= ${round}`,
  },
  {
    // Dated in the last two complete ISO weeks (the rest of the traffic is today's), so the
    // fleet-wide weekly report compares them: 90 % success, then 20 % — an alert and its webhook.
    name: 'two past weeks of feedback, the second worse, then a weekly report that alerts',
    run: async (mesh) => {
      const agentId = 'report_agent';
      const weekMs = 7 * 86_400_000;
      const now = new Date();
      const monday =
        Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - ((now.getUTCDay() + 6) % 7) * 86_400_000;
      const samples = async () => {
        const response = await fetch(`${mesh.apps['oracle-api'].url}/api/v1/oracle/patterns`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ days: 21, min_samples: 1, agent_id: agentId }),
        });
        return response.status === 200 ? ((await response.json()) as { samples: number }).samples : 0;
      };
      const before = await samples();
      const events = [1, 2].flatMap((week) =>
        Array.from({ length: 20 }, (_, i) => {
          const positive = week === 1 ? i % 10 !== 0 : i % 5 === 0;
          return {
            agent_id: agentId,
            session_id: `report-${i % 5}`,
            timestamp: new Date(monday - (3 - week) * weekMs + i * 3_600_000).toISOString(),
            explicit: { helpful: positive, rating: positive ? 5 : 2 },
          };
        }),
      );
      await post(mesh, '/api/v1/feedback/collect/bulk', { events }, 202);
      await eventually(async () => expect(await samples()).toBeGreaterThanOrEqual(before + events.length), 20_000, 250);
      const report = (await (await post(mesh, '/api/v1/reports', { period: 'weekly' }, 201, 'oracle-api')).json()) as {
        alert: boolean;
      };
      expect(report.alert).toBe(true);
    },
    settled: (round) =>
      `sum(metaloop_reports_generated_total{trigger="api"}) >= ${round} and on() sum(metaloop_report_success_drop_alerts_total) >= ${round} and on() sum(metaloop_report_webhook_deliveries_total) >= ${round} and on() count(metaloop_report_success_rate_change_percent) > 0`,
  },
  {
    // The mesh runs a policy with a 1 s analysis interval (prometheus-live.spec.ts).
    name: 'a canary that breaks a hard threshold (6 complaints in 10 min) and is rolled back by the orchestrator',
    run: async (mesh) => {
      const agentId = `canary-${uuidv7()}`;
      await registerAgent(mesh, agentId);
      await queuePlan(mesh, [promptMutation(agentId)]);
      await waitForRollout(mesh, agentId, (rollout) => rollout.status === 'running', 20_000);
      const session = await canarySession(mesh, agentId);
      for (let i = 0; i < 6; i++)
        await post(
          mesh,
          '/api/v1/feedback/collect',
          { agent_id: agentId, session_id: session, explicit: { rating: 1, complaint: 'wrong answer' } },
          202,
        );
      await waitForRollout(mesh, agentId, (rollout) => rollout.status === 'rolled_back', 20_000);
    },
    settled: (round) =>
      `sum(metaloop_rollbacks_total{reason="hard_threshold"}) >= ${round} and on() sum(metaloop_rollback_duration_seconds_count) >= ${round}`,
  },
];
