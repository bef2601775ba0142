import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/events';
import { PlansModule } from '../plans/plans.module';
import { ValidationModule } from '../validation/validation.module';
import { ExecutionService } from './execution.service';

@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.plans }), PlansModule, ValidationModule],
  providers: [ExecutionService],
  exports: [ExecutionService],
})
export class ExecutionModule {}
