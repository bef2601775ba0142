import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { ControlModule } from '@metaloop/control';
import { RegistryModule } from '@metaloop/registry';
import { DatasetBuilder } from './dataset-builder';
import { TrainerDelivery } from './trainer-delivery';
import { TrainingMetrics } from './training.metrics';
import { TrainingProcessor } from './training.processor';
import { TrainingService } from './training.service';

/** Training datasets and training requests (the only writer of both), on the BullMQ training queue. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.training }), RegistryModule, ControlModule],
  providers: [DatasetBuilder, TrainingService, TrainingMetrics, TrainerDelivery, TrainingProcessor],
  exports: [TrainingService],
})
export class TrainingModule {}
