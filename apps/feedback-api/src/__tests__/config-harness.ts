import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectJetStream } from '@metaloop/messaging';
import { natsTopology, type AgentConfigInput } from '@metaloop/contracts';
import { startApp } from '@metaloop/platform';
import { AgentsService, LiveConfigStore, RevisionsService } from '@metaloop/registry';
import { deleteRedisKeys, eventually, scratchSchema, testEnv, type ScratchSchema } from '@metaloop/testing';

export const baselineConfig: AgentConfigInput = {
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template: 'You are a helpful assistant.' },
  params: { temperature: 0.7 },
};

/**
 * feedback-api replicas in-process against the real services, isolated per suite (schema,
 * NATS prefix). The registry services of the first replica stand in for the control plane:
 * what they announce on config.changed reaches every replica through NATS, as oracle-api's
 * and the orchestrator's announcements do.
 */
export interface ConfigHarness {
  prefix: string;
  schema: ScratchSchema;
  replicas: NestFastifyApplication[];
  agents: AgentsService;
  store: LiveConfigStore;
  /** Registers the agent with the baseline config; answers its revision id. */
  createAgent(agentId: string): Promise<string>;
  /** Starts a running rollout of `candidate` at `weightBp` the way the orchestrator does (one live config change). */
  startRollout(
    agentId: string,
    candidate: AgentConfigInput,
    weightBp: number,
  ): Promise<{ rolloutId: string; candidateRevisionId: string }>;
  getConfig(
    app: NestFastifyApplication,
    agentId: string,
    sessionId: string,
    headers?: Record<string, string>,
  ): ReturnType<NestFastifyApplication['inject']>;
  dispose(): Promise<void>;
}

export async function configHarness(
  suite: string,
  env: Record<string, string>,
  replicaCount: number,
  natsUrl = testEnv.TEST_NATS_URL,
): Promise<ConfigHarness> {
  const schema = await scratchSchema(suite);
  const prefix = schema.schema;
  const appEnv = {
    NODE_ENV: 'test',
    DATABASE_URL: schema.url,
    NATS_URL: natsUrl,
    NATS_PREFIX: prefix,
    REDIS_URL: testEnv.TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    ...env,
  };
  const replicas: NestFastifyApplication[] = [];
  for (let i = 0; i < replicaCount; i++) {
    const app = await startApp(() => import('../app.definition.js').then((m) => m.feedbackApi), appEnv);
    replicas.push(app);
    await eventually(
      async () => expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200),
      15_000,
    );
  }
  const control = replicas[0]!;
  const agents = control.get(AgentsService);
  const store = control.get(LiveConfigStore);
  return {
    prefix,
    schema,
    replicas,
    agents,
    store,
    createAgent: async (agentId) =>
      (await agents.createAgent({ agent_id: agentId, environment: 'prod', config: baselineConfig }, 'spec'))
        .revision_id,
    startRollout: async (agentId, candidate, weightBp) => {
      const agent = await agents.getAgent(agentId);
      const { revision_id: candidateRevisionId } = await control
        .get(RevisionsService)
        .createRevision(agentId, agent.stable_revision_id, candidate, 'MODEL_SWAP', null, 'spec');
      const { result: rolloutId } = await store.changeLiveConfig(agentId, 'rollout_started', async (tx) => {
        const rollout = await tx.rollout.create({
          data: {
            agentId,
            mutationType: 'MODEL_SWAP',
            stableRevisionId: agent.stable_revision_id!,
            candidateRevisionId,
            status: 'running',
            weightBp,
            steps: [5, 25, 50, 100],
            rollbackKey: `${agentId}-${candidateRevisionId}`,
          },
        });
        await tx.agent.update({ where: { id: agentId }, data: { activeRolloutId: rollout.id } });
        return rollout.id;
      });
      return { rolloutId, candidateRevisionId };
    },
    getConfig: (app, agentId, sessionId, headers = {}) =>
      app.inject({
        method: 'GET',
        url: `/api/v1/agents/${agentId}/config?session_id=${encodeURIComponent(sessionId)}`,
        headers,
      }),
    dispose: async () => {
      for (const app of replicas.splice(0)) await app.close();
      const nats = await connectJetStream({ servers: natsUrl, name: `${suite}-cleanup`, prefix }).catch(
        () => undefined,
      );
      for (const stream of Object.values(natsTopology({ prefix }).streams))
        await nats?.jsm.streams.delete(stream.name).catch(() => undefined);
      await nats?.nc.close();
      await deleteRedisKeys(prefix);
      await schema.drop();
    },
  };
}
