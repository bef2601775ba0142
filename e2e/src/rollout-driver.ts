import {
  JOBS,
  QUEUES,
  type CandidateInput,
  type MutationInput,
  type RolloutDetail,
  type RolloutView,
} from '@metaloop/contracts';
import { bullmqConnection } from '@metaloop/messaging';
import { createRandom, type Random } from '@metaloop/stats';
import { eventually, withClient } from '@metaloop/testing';
import { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mesh as StartedMesh } from './mesh';

/** What the driver needs of a mesh: its apps, schema and environment (the chaos cluster has its own). */
type Mesh = Pick<StartedMesh, 'apps' | 'schema' | 'env'>;

/** A policy file under which a rollout runs in seconds: a look every second, 30 events per arm and step. */
export function fastPolicyFile(overrides: object = {}): string {
  const path = join(mkdtempSync(join(tmpdir(), 'e2e-policy-')), 'policies.yaml');
  const policy = {
    canary: {
      steps: [10, 50, 100],
      analysis_interval_seconds: 1,
      min_samples_per_arm: 30,
      max_step_duration_minutes: 5,
    },
    auto_rollback: { min_samples: 20 },
    cooldown: { per_agent_minutes: 0 },
    concurrency: { max_concurrent_rollouts: 20 },
    ...overrides,
  };
  writeFileSync(path, JSON.stringify(policy)); // JSON is YAML
  return path;
}

export const BASE_CONFIG = { model: 'llama-3-8b', prompt: { version: 'v1', template: 'You are a helpful assistant.' } };

export async function post(url: string, body: unknown, expected = 200): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`POST ${url}: expected ${expected}, got ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Registers an agent on oracle-api with its candidates, and waits until feedback-api serves it. */
export async function registerAgent(
  mesh: Mesh,
  agentId: string,
  candidates: CandidateInput[] = [
    { type: 'prompt', version: 'v2', template: 'You are a helpful assistant. Be brief.' },
  ],
  environment: 'dev' | 'staging' | 'prod' = 'dev',
): Promise<string> {
  const oracle = mesh.apps['oracle-api'].url;
  const { revision_id } = (await post(
    `${oracle}/api/v1/agents`,
    { agent_id: agentId, environment, config: BASE_CONFIG },
    201,
  )) as { revision_id: string };
  for (const candidate of candidates) await post(`${oracle}/api/v1/agents/${agentId}/candidates`, candidate, 201);
  await eventually(
    () => getJson(`${mesh.apps['feedback-api'].url}/api/v1/agents/${agentId}/config?session_id=probe`),
    10_000,
    50,
  );
  return revision_id;
}

/** Switch the agent's prompt to a registered version (confidence and risk as a tick would give them). */
export const promptMutation = (agentId: string, version = 'v2'): MutationInput => ({
  type: 'PROMPT_PATCH',
  agent_id: agentId,
  params: { source: 'candidate', version },
  ...{
    confidence: 0.9,
    risk: 2,
    rationale: 'e2e',
    expected_impact: { metric: 'success_rate', direction: 'increase', relative_change: 0.1 },
  },
});

/**
 * A plan as oracle-api's execute leaves it (stored, queued) and its job on the plans queue,
 * which the orchestrator consumes: the lead's execute route re-runs the SPEC gates, whose
 * evidence these tests do not fabricate.
 */
export async function queuePlan(mesh: Mesh, mutations: MutationInput[]): Promise<string> {
  const planId = await withClient(async (db) => {
    await db.query(`SET search_path TO "${mesh.schema.schema}"`);
    const [{ id }] = (
      await db.query(`INSERT INTO plans (id, status, source, finding_ids, confidence, risk, expected_impact, rationale, evidence, created_by, updated_at)
      VALUES (gen_random_uuid(), 'queued', 'e2e', '{}', 0.9, 2, '[]', 'e2e plan', '{}', 'e2e', now()) RETURNING id`)
    ).rows as Array<{ id: string }>;
    for (const [ordinal, m] of mutations.entries()) {
      await db.query(
        `INSERT INTO mutations (id, plan_id, ordinal, agent_id, type, params, confidence, risk, expected_impact, rationale, rollback_spec)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, '{}')`,
        [
          id,
          ordinal,
          m.agent_id,
          m.type,
          JSON.stringify(m.params),
          m.confidence,
          m.risk,
          JSON.stringify(m.expected_impact),
          m.rationale,
        ],
      );
    }
    return id!;
  });
  const queue = new Queue(QUEUES.plans, {
    connection: bullmqConnection(mesh.env.REDIS_URL, 'e2e'),
    prefix: mesh.schema.schema,
  });
  try {
    await queue.add(JOBS.executePlan, { plan_id: planId, requested_by: 'e2e' }, { jobId: planId });
  } finally {
    await queue.close();
  }
  return planId;
}

/** Rows of a query against the mesh's own schema. */
export function sql<T>(mesh: Mesh, text: string, params: unknown[] = []): Promise<T[]> {
  return withClient(async (db) => {
    await db.query(`SET search_path TO "${mesh.schema.schema}"`);
    return (await db.query(text, params)).rows as T[];
  });
}

export async function rolloutsOf(mesh: Mesh, agentId: string): Promise<RolloutView[]> {
  return (
    await getJson<{ items: RolloutView[] }>(`${mesh.apps['oracle-api'].url}/api/v1/oracle/rollouts?agent_id=${agentId}`)
  ).items;
}

export async function rolloutDetail(mesh: Mesh, rolloutId: string): Promise<RolloutDetail> {
  return getJson<RolloutDetail>(`${mesh.apps['oracle-api'].url}/api/v1/oracle/rollouts/${rolloutId}`);
}

/** Until the agent's latest rollout satisfies `done`; its view. */
export function waitForRollout(
  mesh: Mesh,
  agentId: string,
  done: (rollout: RolloutView) => boolean,
  timeoutMs = 60_000,
): Promise<RolloutView> {
  return eventually(
    async () => {
      const [latest] = await rolloutsOf(mesh, agentId);
      if (!latest || !done(latest)) throw new Error(`rollout of ${agentId}: ${JSON.stringify(latest ?? null)}`);
      return latest;
    },
    timeoutMs,
    100,
  );
}

/** A session the agent's canary serves (its sticky arm), found by asking feedback-api. */
export async function canarySession(mesh: Mesh, agentId: string): Promise<string> {
  for (let i = 0; i < 10_000; i++) {
    const session = `${agentId}-probe-${i}`;
    const served = await getJson<{ arm: string }>(
      `${mesh.apps['feedback-api'].url}/api/v1/agents/${agentId}/config?session_id=${session}`,
    );
    if (served.arm === 'canary') return session;
  }
  throw new Error(`no session of ${agentId} is on the canary`);
}

/** What a session's agent really does with a config: its true quality, by revision. */
export type Quality = (
  revisionId: string,
  random: Random,
) => { success: boolean; response_time_ms: number; helpful?: boolean };

export interface Driver {
  /** Sessions driven so far, by the arm feedback-api gave them. */
  sessions: { stable: number; canary: number };
  stop(): Promise<void>;
}

/**
 * Agents' runtimes: each session fetches its config from feedback-api (sticky arm), uses it,
 * and posts one feedback event whose true quality depends on the revision it was served;
 * feedback-api fills in the revision from the session's arm. Runs until stopped.
 */
export function drive(
  mesh: Mesh,
  agentId: string,
  quality: Quality,
  options: { workers?: number; seed?: number } = {},
): Driver {
  const feedback = mesh.apps['feedback-api'].url;
  const random = createRandom(options.seed ?? 7);
  const sessions = { stable: 0, canary: 0 };
  let running = true;
  let next = 0;
  const worker = async () => {
    while (running) {
      const session = `${agentId}-session-${next++}`;
      try {
        const served = await getJson<{ revision_id: string; arm: 'stable' | 'canary' }>(
          `${feedback}/api/v1/agents/${agentId}/config?session_id=${session}`,
        );
        const { success, response_time_ms, helpful } = quality(served.revision_id, random);
        await post(
          `${feedback}/api/v1/feedback/collect`,
          {
            agent_id: agentId,
            session_id: session,
            implicit: { success, response_time_ms },
            ...(helpful === undefined ? {} : { explicit: { helpful } }),
          },
          202,
        );
        sessions[served.arm]++;
      } catch {
        // An app restarting mid-test: the next session tries again.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const workers = Array.from({ length: options.workers ?? 8 }, worker);
  return {
    sessions,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Healthy traffic: the same quality on every revision except where `by` says otherwise. */
export function quality(
  byRevision: Record<string, { success: number; helpful?: number }>,
  fallback = { success: 0.8, helpful: 0.6 },
): Quality {
  return (revisionId, random) => {
    const truth = byRevision[revisionId] ?? fallback;
    return {
      success: random.next() < truth.success,
      response_time_ms: 200 + 100 * random.next(),
      helpful: random.next() < (truth.helpful ?? fallback.helpful),
    };
  };
}
