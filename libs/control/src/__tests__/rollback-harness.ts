import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { PrismaModule, PrismaService } from '@metaloop/db';
import { connectNats } from '@metaloop/messaging';
import { natsTopology, QUEUES, type ConfigChangedMessage } from '@metaloop/contracts';
import { bullmqConnection, bullmqRoot, NatsModule, NatsService } from '@metaloop/messaging';
import { MetricsModule } from '@metaloop/observability';
import { AgentsService, RevisionsService } from '@metaloop/registry';
import { deleteRedisKeys, eventually, scratchSchema, testEnv, type ScratchSchema } from '@metaloop/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { Queue } from 'bullmq';
import { RollbackModule } from '../rollback/rollback.module';

export interface RollbackHarness {
  schema: ScratchSchema;
  /** One Nest context per simulated replica of an app using RollbackModule. */
  replicas: TestingModule[];
  prisma: PrismaService;
  /** Every `config.changed` of this suite's prefix. */
  messages: ConfigChangedMessage[];
  /** The revert queue as the orchestrator would read it. */
  reverts: Queue;
  settled(): Promise<void>;
  /** A registered agent with a candidate revision and a rollout of it in `status`. */
  seedRollout(
    agentId: string,
    options?: { status?: 'pending' | 'running' | 'paused'; effects?: number; planId?: string },
  ): Promise<{ rolloutId: string; rollbackKey: string }>;
  dispose(): Promise<void>;
}

export async function rollbackHarness(suite: string, replicas = 1): Promise<RollbackHarness> {
  const schema = await scratchSchema(suite);
  const prefix = schema.schema;
  const contexts: TestingModule[] = [];
  for (let i = 0; i < replicas; i++) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ REDIS_URL: testEnv.TEST_REDIS_URL, REDIS_PREFIX: prefix })],
        }),
        PrismaModule.forRoot({ databaseUrl: schema.url, migrateOnStart: true, poolSize: 4 }),
        NatsModule.forRoot({ servers: [testEnv.TEST_NATS_URL], name: `${suite}-${i}`, prefix }),
        MetricsModule.forRoot(`${suite}-${i}`),
        bullmqRoot(suite),
        RollbackModule,
      ],
    }).compile();
    await moduleRef.init();
    await eventually(() => moduleRef.get(NatsService).ping());
    contexts.push(moduleRef);
  }
  const prisma = contexts[0]!.get(PrismaService);
  const spy: NatsConnection = await connectNats({ servers: testEnv.TEST_NATS_URL, name: `${suite}-spy` });
  const messages: ConfigChangedMessage[] = [];
  spy.subscribe(natsTopology({ prefix }).subjects.configChanged, {
    callback: (_error, msg) => void messages.push(msg.json()),
  });
  await spy.flush();
  const reverts = new Queue(QUEUES.reverts, {
    connection: bullmqConnection(testEnv.TEST_REDIS_URL, `${suite}-spec`),
    prefix,
  });
  return {
    schema,
    replicas: contexts,
    prisma,
    messages,
    reverts,
    settled: async () => {
      for (const c of contexts) await c.get(NatsService).context().nc.flush();
      await spy.flush();
    },
    seedRollout: async (agentId, options = {}) => {
      const agents = contexts[0]!.get(AgentsService);
      const revisions = contexts[0]!.get(RevisionsService);
      const { revision_id: stable } = await agents.createAgent(
        {
          agent_id: agentId,
          environment: 'dev',
          config: { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'Be helpful.' } },
        },
        'test',
      );
      const candidate = await revisions.createRevision(
        agentId,
        stable,
        { model: 'gpt-4o-mini', prompt: { version: 'v2', template: 'Be brief.' } },
        'PROMPT_PATCH',
        null,
        'test',
      );
      const effects = Array.from({ length: options.effects ?? 0 }, (_, i) => ({
        effect: { kind: 'lora_load', lora_name: `l${i}`, lora_path: `/l${i}` },
        status: 'done',
      }));
      const rollout = await prisma.rollout.create({
        data: {
          agentId,
          planId: options.planId ?? null,
          mutationType: 'PROMPT_PATCH',
          stableRevisionId: stable,
          candidateRevisionId: candidate.revision_id,
          status: options.status ?? 'running',
          weightBp: 2500,
          stepIndex: 1,
          steps: [5, 25, 50, 100],
          rollbackKey: `rollback_${agentId}`,
          adapterState: { type: 'PROMPT_PATCH', operation_id: agentId, effects },
          startedAt: new Date(),
        },
      });
      await prisma.agent.update({ where: { id: agentId }, data: { activeRolloutId: rollout.id } });
      return { rolloutId: rollout.id, rollbackKey: rollout.rollbackKey };
    },
    dispose: async () => {
      await reverts.obliterate({ force: true }).catch(() => undefined);
      await reverts.close();
      await spy.close();
      await Promise.all(contexts.map((c) => c.close()));
      await schema.drop();
      await deleteRedisKeys(prefix);
    },
  };
}
