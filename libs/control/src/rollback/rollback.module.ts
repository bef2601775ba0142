import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { RegistryModule } from '@metaloop/registry';
import { ControlModule } from '../control.module';
import { RolloutLifecycle } from '../lifecycle/rollout-lifecycle.service';
import { RolloutMetrics } from '../rollouts/rollout.metrics';
import { RollbackService } from './rollback.service';

/**
 * Rollouts for an app: their lifecycle (every rollout row goes through RolloutLifecycle, whose
 * live-config changes need the registry) and rollback. Needs the app's BullMQ root (libs/messaging
 * `bullmqRoot`), Postgres, NATS (config.changed) and the metrics registry, as PlatformModule apps
 * have them.
 */
@Module({
  imports: [ControlModule, RegistryModule, BullModule.registerQueue({ name: QUEUES.reverts })],
  providers: [RollbackService, RolloutMetrics, RolloutLifecycle],
  exports: [RollbackService, RolloutMetrics, RolloutLifecycle],
})
export class RollbackModule {}
