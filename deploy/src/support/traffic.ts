import { connectJetStream, uuidv7 } from '@metaloop/events';
import { testEnv } from '@metaloop/testing';
import type { Mesh } from '../../../e2e/src/mesh';

export interface TrafficStep {
  name: string;
  run(mesh: Mesh): Promise<void>;
  /** PromQL that returns data once Prometheus has scraped the effect of `round` runs of the step. */
  settled(round: number): string;
}

const AGENTS = ['helpful_assistant', 'code_reviewer'] as const;

async function post(mesh: Mesh, path: string, body: unknown, expected: number): Promise<void> {
  const response = await fetch(`${mesh.apps['feedback-api'].url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== expected) throw new Error(`POST ${path}: expected ${expected}, got ${response.status} ${await response.text()}`);
}

const feedback = (agent: string, i: number) => ({
  agent_id: agent,
  session_id: `session_${i % 7}`,
  explicit: i % 3 === 0 ? { rating: 1 + (i % 5), helpful: i % 2 === 0, ...(i % 4 === 0 ? { complaint: 'too verbose' } : {}) } : undefined,
  implicit: { response_time_ms: 80 + i * 13, success: i % 5 !== 0 },
});

/**
 * What the Prometheus proof drives through the mesh, in order, in rounds (a rate() needs a
 * series to grow between scrapes, and most series appear only with the first round): each
 * step is a kind of traffic the dashboards and alerts must see. Metrics that arrive with later
 * issues get their own step here (the orchestrator issue adds: an agent whose canary is rolled back).
 */
export const TRAFFIC: TrafficStep[] = [
  {
    name: 'explicit and implicit feedback from two agents, single and bulk',
    run: async (mesh) => {
      for (const agent of AGENTS) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => post(mesh, '/api/v1/feedback/collect', feedback(agent, i), 202)));
        await post(mesh, '/api/v1/feedback/collect/bulk', { events: Array.from({ length: 50 }, (_, i) => feedback(agent, i)) }, 202);
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
      await post(mesh, '/api/v1/feedback/collect', { agent_id: AGENTS[1], session_id: 's', explicit: { rating: 9 } }, 400);
      await post(mesh, '/api/v1/feedback/collect/bulk', { events: [feedback(AGENTS[1], 2), { agent_id: AGENTS[1] }] }, 202);
    },
    settled: (round) => `sum(metaloop_feedback_events_total{result="rejected"}) >= ${round}`,
  },
  {
    name: 'a system metric',
    run: (mesh) => post(mesh, '/api/v1/feedback/system/metric', { source: 'gateway', name: 'queue_depth', value: 3, unit: 'messages' }, 202),
    settled: (round) => `sum(metaloop_ingest_events_total{type="system"}) >= ${round}`,
  },
  {
    name: 'a malformed message on the FEEDBACK stream, which is dead-lettered',
    run: async (mesh) => {
      const nats = await connectJetStream({ servers: testEnv.TEST_NATS_URL, name: 'deploy-traffic', prefix: mesh.schema.schema });
      try {
        await nats.js.publish(nats.topology.subjects.feedback('explicit', AGENTS[0]), 'not json');
      } finally {
        await nats.nc.close();
      }
    },
    settled: (round) => `max(metaloop_dlq_depth) >= ${round}`,
  },
];
