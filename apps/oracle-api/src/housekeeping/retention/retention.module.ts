import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { ExamplesModule } from '../../loop/examples/examples.module';
import { RetentionMetrics } from './retention.metrics';
import { RetentionProcessor } from './retention.processor';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** Raw-event retention on the BullMQ maintenance queue. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.maintenance }), ExamplesModule],
  providers: [RetentionService, RetentionProcessor, RetentionScheduler, RetentionMetrics],
})
export class RetentionModule {}
