import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { PlansModule } from '../plans/plans.module';
import { ValidationModule } from '../validation/validation.module';
import { ExecutionController } from './execution.controller';
import { ExecutionService } from './execution.service';

@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.plans }), PlansModule, ValidationModule],
  controllers: [ExecutionController],
  providers: [ExecutionService],
  exports: [ExecutionService],
})
export class ExecutionModule {}
