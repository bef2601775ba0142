import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService, type Prisma } from '@metaloop/db';
import { connectNats } from '@metaloop/messaging';
import {
  natsTopology,
  QUEUES,
  type AgentConfigInput,
  type CandidateInput,
  type ConfigChangedMessage,
  type MutationInput,
} from '@metaloop/contracts';
import { AgentsService, CandidatesService, LiveConfigStore } from '@metaloop/registry';
import {
  deleteRedisKeys,
  eventually,
  isolatedServiceEnv,
  scratchSchema,
  testEnv,
  type ScratchSchema,
} from '@metaloop/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A policy that lets a rollout run in seconds (a look every second, 20 events per arm and step) and many run at once. */
export const FAST_POLICY = {
  canary: { steps: [10, 50, 100], analysis_interval_seconds: 1, min_samples_per_arm: 20, max_step_duration_minutes: 5 },
  auto_rollback: { min_samples: 10 },
  cooldown: { per_agent_minutes: 0 },
  concurrency: { max_concurrent_rollouts: 100 },
  budgets: {
    mutations_per_hour: { global: 1000, per_environment: { dev: 1000 } },
    mutations_per_day_by_type: { PROMPT_PATCH: 1000, LORA_APPLY: 1000 },
  },
};

export interface FeedbackRates {
  success?: number;
  error?: number;
  rating?: number;
  helpful?: number;
  latencyMs?: number;
  complaints?: number;
}

/**
 * The orchestrator in-process against the real services, isolated per suite (its own schema,
 * NATS prefix and Redis prefix), with the policy written to a file of its own.
 */
export interface OrchestratorHarness {
  prefix: string;
  schema: ScratchSchema;
  app: NestFastifyApplication;
  prisma: PrismaService;
  policyPath: string;
  /** Every `config.changed` of this suite's prefix. */
  messages: ConfigChangedMessage[];
  queue(name: (typeof QUEUES)[keyof typeof QUEUES]): Queue;
  registerAgent(agentId: string, config?: AgentConfigInput, candidates?: CandidateInput[]): Promise<string>;
  /** A stored plan, queued as oracle-api's execute leaves it, and its job on the plans queue. */
  queuePlan(mutations: MutationInput[], findingIds?: string[]): Promise<string>;
  /** Adds `n` events at these rates to a revision's current minute rollup, as the ingest consumer would. */
  feedback(agentId: string, revisionId: string, n: number, rates?: FeedbackRates): Promise<void>;
  liveState(agentId: string): ReturnType<LiveConfigStore['loadLiveState']>;
  dispose(): Promise<void>;
}

export const BASE_CONFIG: AgentConfigInput = {
  model: 'llama-3-8b',
  prompt: { version: 'v1', template: 'You are a helpful assistant.' },
  params: { temperature: 0.7 },
};

/** Switch the agent's prompt to a registered version (confidence and risk as a tick would give them). */
export const promptMutation = (agentId: string, version = 'v2'): MutationInput => ({
  type: 'PROMPT_PATCH',
  agent_id: agentId,
  params: { source: 'candidate', version },
  ...{
    confidence: 0.9,
    risk: 2,
    rationale: 'test',
    expected_impact: { metric: 'success_rate', direction: 'increase', relative_change: 0.1 },
  },
});

export async function orchestratorHarness(
  suite: string,
  env: Record<string, string> = {},
  policy: object = FAST_POLICY,
): Promise<OrchestratorHarness> {
  const schema = await scratchSchema(suite);
  const prefix = schema.schema;
  const policyPath = join(mkdtempSync(join(tmpdir(), `${suite}-`)), 'policies.yaml');
  // JSON is YAML.
  writeFileSync(policyPath, JSON.stringify(policy));
  Object.assign(process.env, {
    NODE_ENV: 'test',
    ...isolatedServiceEnv(schema),
    POLICIES_PATH: policyPath,
    JOB_RETRY_BASE_MS: '50',
    RECONCILE_INTERVAL_MS: '600000',
    ...env,
  });
  const [{ createApp }, { orchestrator }] = await Promise.all([
    import('@metaloop/platform'),
    import('../app.definition.js'),
  ]);
  const app = await createApp(orchestrator);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await eventually(
    async () => {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      if (response.statusCode !== 200) throw new Error(response.body);
    },
    15_000,
    50,
  );
  const prisma = app.get(PrismaService);
  const spy: NatsConnection = await connectNats({ servers: testEnv.TEST_NATS_URL, name: `${suite}-spy` });
  const messages: ConfigChangedMessage[] = [];
  spy.subscribe(natsTopology({ prefix }).subjects.configChanged, {
    callback: (_error, msg) => void messages.push(msg.json()),
  });
  await spy.flush();

  return {
    prefix,
    schema,
    app,
    prisma,
    policyPath,
    messages,
    queue: (name) => app.get<Queue>(getQueueToken(name), { strict: false }),
    registerAgent: async (
      agentId,
      config = BASE_CONFIG,
      candidates = [{ type: 'prompt', version: 'v2', template: 'You are a helpful assistant. Be brief.' }],
    ) => {
      const { revision_id } = await app
        .get(AgentsService)
        .createAgent({ agent_id: agentId, environment: 'dev', config }, 'test');
      for (const candidate of candidates) await app.get(CandidatesService).addCandidate(agentId, candidate as never);
      return revision_id;
    },
    queuePlan: async (mutations, findingIds = []) => {
      const plan = await prisma.plan.create({
        data: {
          status: 'queued',
          source: 'test',
          findingIds,
          confidence: 0.9,
          risk: 2,
          expectedImpact: [],
          rationale: 'test plan',
          evidence: {},
          createdBy: 'test',
          mutations: {
            create: mutations.map((m, ordinal) => ({
              ordinal,
              agentId: m.agent_id,
              type: m.type,
              params: m.params as Prisma.InputJsonValue,
              confidence: m.confidence,
              risk: m.risk,
              expectedImpact: m.expected_impact as Prisma.InputJsonValue,
              rationale: m.rationale,
              rollbackSpec: {},
            })),
          },
        },
      });
      await app
        .get<Queue>(getQueueToken(QUEUES.plans), { strict: false })
        .add('execute-plan', { plan_id: plan.id, requested_by: 'api_key:test' }, { jobId: plan.id });
      return plan.id;
    },
    feedback: async (agentId, revisionId, n, rates = {}) => {
      const { success = 0.8, error = 0.01, rating = 4, helpful = 0.7, latencyMs = 300, complaints = 0 } = rates;
      const ups = Math.round(helpful * n);
      const hist = new Array<number>(41).fill(0);
      const bucket = Math.ceil(Math.log(latencyMs) / Math.log(Math.SQRT2));
      hist[Math.max(0, bucket - 1)] = Math.floor(n / 2);
      hist[Math.min(40, bucket + 1)] = Math.ceil(n / 2);
      await prisma.$executeRawUnsafe(
        `INSERT INTO feedback_rollups (agent_id, revision_id, bucket, count, success_n, success_sum, errors, rating_count, rating_sum, rating_sum_sq, helpful_up, helpful_down, complaints, latency_count, latency_sum_ms, latency_hist)
         VALUES ($1, $2, date_trunc('minute', now()), $3, $3, $4, $5, $3, $6, $7, $8, $9, $10, $3, $11, $12::int[])
         ON CONFLICT (agent_id, revision_id, bucket) DO UPDATE SET
           count = feedback_rollups.count + EXCLUDED.count, success_n = feedback_rollups.success_n + EXCLUDED.success_n,
           success_sum = feedback_rollups.success_sum + EXCLUDED.success_sum, errors = feedback_rollups.errors + EXCLUDED.errors,
           rating_count = feedback_rollups.rating_count + EXCLUDED.rating_count, rating_sum = feedback_rollups.rating_sum + EXCLUDED.rating_sum,
           rating_sum_sq = feedback_rollups.rating_sum_sq + EXCLUDED.rating_sum_sq, helpful_up = feedback_rollups.helpful_up + EXCLUDED.helpful_up,
           helpful_down = feedback_rollups.helpful_down + EXCLUDED.helpful_down, complaints = feedback_rollups.complaints + EXCLUDED.complaints,
           latency_count = feedback_rollups.latency_count + EXCLUDED.latency_count, latency_sum_ms = feedback_rollups.latency_sum_ms + EXCLUDED.latency_sum_ms,
           latency_hist = (SELECT array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY i) FROM unnest(feedback_rollups.latency_hist, EXCLUDED.latency_hist) WITH ORDINALITY AS u(a, b, i))`,
        agentId,
        revisionId,
        n,
        Math.round(success * n),
        Math.round(error * n),
        rating * n,
        n * (rating * rating + 2 / 3),
        ups,
        n - ups,
        complaints,
        latencyMs * n,
        hist,
      );
    },
    liveState: (agentId) => app.get(LiveConfigStore).loadLiveState(agentId),
    dispose: async () => {
      await app.close();
      await spy.close();
      await schema.drop();
      await deleteRedisKeys(prefix);
    },
  };
}
