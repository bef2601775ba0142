import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { PlansModule } from '../plans/plans.module';
import { ValidationModule } from '../validation/validation.module';
import { HandoffController } from './handoff.controller';
import { HandoffService } from './handoff.service';

@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.plans }), PlansModule, ValidationModule],
  controllers: [HandoffController],
  providers: [HandoffService],
  exports: [HandoffService],
})
export class HandoffModule {}
