import { Test, type TestingModule } from '@nestjs/testing';
import { PrismaModule, PrismaService, type Prisma } from '@metaloop/db';
import { scratchSchema, type ScratchSchema } from '@metaloop/testing';
import { randomUUID } from 'node:crypto';
import { ControlModule } from '../control.module';

export interface ControlHarness {
  schema: ScratchSchema;
  /** One Nest context per simulated replica, each with its own Prisma pool. */
  replicas: TestingModule[];
  prisma: PrismaService;
  dispose(): Promise<void>;
}

/** ControlModule over a migrated scratch schema, as `replicas` independent app contexts. */
export async function controlHarness(suite: string, replicas = 1): Promise<ControlHarness> {
  const schema = await scratchSchema(suite);
  const contexts: TestingModule[] = [];
  for (let i = 0; i < replicas; i++) {
    const moduleRef = await Test.createTestingModule({
      imports: [PrismaModule.forRoot({ databaseUrl: schema.url, migrateOnStart: true, poolSize: 4 }), ControlModule],
    }).compile();
    await moduleRef.init();
    contexts.push(moduleRef);
  }
  return {
    schema,
    replicas: contexts,
    prisma: contexts[0]!.get(PrismaService),
    dispose: async () => {
      await Promise.all(contexts.map((c) => c.close()));
      await schema.drop();
    },
  };
}

/** An agent with one revision, ready to get rollouts. */
export async function seedAgent(
  prisma: PrismaService,
  id: string,
  environment: 'dev' | 'staging' | 'prod' = 'dev',
): Promise<string> {
  const revisionId = `rev_${id}`;
  await prisma.agent.create({ data: { id, name: id, environment } });
  await prisma.revision.create({
    data: { id: revisionId, agentId: id, configHash: id, config: {}, createdBy: 'test' },
  });
  await prisma.agent.update({ where: { id }, data: { stableRevisionId: revisionId } });
  return revisionId;
}

/** What a real start does: create the rollout and claim the agent for it. */
export async function startRollout(
  tx: Prisma.TransactionClient,
  agentId: string,
  mutationType: Prisma.RolloutCreateInput['mutationType'] = 'PROMPT_PATCH',
): Promise<string> {
  const id = randomUUID();
  await tx.rollout.create({
    data: {
      id,
      agent: { connect: { id: agentId } },
      mutationType,
      stableRevisionId: `rev_${agentId}`,
      candidateRevisionId: `rev_${agentId}`,
      status: 'running',
      steps: [5, 25, 50, 100],
      rollbackKey: `rollback_${id}`,
    },
  });
  await tx.agent.update({ where: { id: agentId }, data: { activeRolloutId: id } });
  return id;
}
