// The registry and the rollout lifecycle as the orchestrator uses them (libs/registry and
// libs/control, built), in the benchmark's own process: it migrates the benchmark's schema,
// registers agents, starts rollouts and sets their weights, announcing each change on
// config.changed under the benchmark's NATS prefix.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import control from '@metaloop/control';
import db from '@metaloop/db';
import messaging from '@metaloop/messaging';
import registry from '@metaloop/registry';
import { SERVICES, sleep } from './harness.mjs';

// The libs are CommonJS (swc output): their exports come as one default object.
const { PrismaModule } = db;
const { NatsModule, NatsService } = messaging;
const { AgentsService, LiveConfigStore, RegistryModule, RevisionsService } = registry;
const { ControlModule, RolloutLifecycle } = control;

export async function startControlPlane(iso) {
  class BenchControlPlane {}
  Module({
    imports: [
      PrismaModule.forRoot({ databaseUrl: iso.databaseUrl, migrateOnStart: true, applicationName: 'bench' }),
      NatsModule.forRoot({ servers: [SERVICES.nats], name: 'bench-control-plane', prefix: iso.id }),
      RegistryModule,
      ControlModule,
    ],
    providers: [RolloutLifecycle],
  })(BenchControlPlane);
  const context = await NestFactory.createApplicationContext(BenchControlPlane, { logger: ['error'] });
  const nats = context.get(NatsService);
  for (
    let i = 0;
    !(await nats.ping().then(
      () => true,
      () => false,
    ));
    i++
  ) {
    if (i > 100) throw new Error('NATS not reachable');
    await sleep(100);
  }
  const agents = context.get(AgentsService);
  const store = context.get(LiveConfigStore);
  const rollouts = context.get(RolloutLifecycle);
  return {
    /** Sets a rollout's canary share (basis points) in one live-config change, as the orchestrator's steps do. */
    setWeight: (rolloutId, weightBp) => rollouts.setWeight(rolloutId, weightBp),
    createAgent: (agentId, config) => agents.createAgent({ agent_id: agentId, environment: 'prod', config }, 'bench'),
    /** A running rollout of `candidate` at `weightBp`, as the orchestrator starts one. */
    startRollout: async (agentId, stableRevisionId, candidate, weightBp) => {
      const { revision_id: candidateRevisionId } = await context
        .get(RevisionsService)
        .createRevision(agentId, stableRevisionId, candidate, 'MODEL_SWAP', null, 'bench');
      const { result } = await store.changeLiveConfig(agentId, 'rollout_started', async (tx) => {
        const rollout = await tx.rollout.create({
          data: {
            agentId,
            mutationType: 'MODEL_SWAP',
            stableRevisionId,
            candidateRevisionId,
            status: 'running',
            weightBp,
            steps: [5, 25, 50, 100],
            rollbackKey: `bench-${agentId}`,
          },
        });
        await tx.agent.update({ where: { id: agentId }, data: { activeRolloutId: rollout.id } });
        return rollout.id;
      });
      return { rolloutId: result, candidateRevisionId };
    },
    close: () => context.close(),
  };
}
