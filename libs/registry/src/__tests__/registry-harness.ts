import { Test, type TestingModule } from '@nestjs/testing';
import { PrismaModule, PrismaService } from '@metaloop/db';
import { connectNats } from '@metaloop/messaging';
import { natsTopology, type AgentConfigInput, type ConfigChangedMessage } from '@metaloop/contracts';
import { NatsModule, NatsService } from '@metaloop/messaging';
import { eventually, scratchSchema, testEnv, type ScratchSchema } from '@metaloop/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { RegistryModule } from '../registry.module';

/**
 * RegistryModule against the real services, isolated per suite: its own migrated Postgres
 * schema and NATS prefix; every `config.changed` of that prefix lands in `messages`.
 */
export interface RegistryHarness {
  moduleRef: TestingModule;
  prisma: PrismaService;
  schema: ScratchSchema;
  messages: ConfigChangedMessage[];
  get<T>(type: new (...args: never[]) => T): T;
  /** Until the spy connection has seen everything published before this call. */
  settled(): Promise<void>;
  dispose(): Promise<void>;
}

export async function registryHarness(suite: string): Promise<RegistryHarness> {
  const schema = await scratchSchema(suite);
  const prefix = schema.schema;
  const moduleRef = await Test.createTestingModule({
    imports: [
      PrismaModule.forRoot({ databaseUrl: schema.url, migrateOnStart: true, applicationName: suite }),
      NatsModule.forRoot({ servers: [testEnv.TEST_NATS_URL], name: suite, prefix }),
      RegistryModule,
    ],
  }).compile();
  await moduleRef.init();
  const nats = moduleRef.get(NatsService);
  await eventually(() => nats.ping());
  const spy: NatsConnection = await connectNats({ servers: testEnv.TEST_NATS_URL, name: `${suite}-spy` });
  const messages: ConfigChangedMessage[] = [];
  spy.subscribe(natsTopology({ prefix }).subjects.configChanged, {
    callback: (_error, msg) => void messages.push(msg.json()),
  });
  await spy.flush();
  return {
    moduleRef,
    prisma: moduleRef.get(PrismaService),
    schema,
    messages,
    get: (type) => moduleRef.get(type),
    settled: async () => {
      await nats.context().nc.flush();
      await spy.flush();
    },
    dispose: async () => {
      await spy.close();
      await moduleRef.close();
      await schema.drop();
    },
  };
}

export const baselineConfig = (template = 'You are a helpful assistant.\nAnswer briefly.'): AgentConfigInput => ({
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template },
  params: { temperature: 0.7 },
});
