import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { RegistryModule } from '@metaloop/registry';
import { ControlModule } from '../control.module';
import { RolloutMetrics } from '../rollouts/rollout.metrics';
import { RollbackService } from './rollback.service';

/**
 * Rollback for an app: needs the app's BullMQ root (libs/messaging `bullmqRoot`), Postgres, NATS
 * (config.changed) and the metrics registry, as PlatformModule apps have them.
 */
@Module({
  imports: [ControlModule, RegistryModule, BullModule.registerQueue({ name: QUEUES.reverts })],
  providers: [RollbackService, RolloutMetrics],
  exports: [RollbackService, RolloutMetrics],
})
export class RollbackModule {}
