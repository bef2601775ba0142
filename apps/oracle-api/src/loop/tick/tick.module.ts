import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { AnalysisModule } from '../analysis/analysis.module';
import { HandoffModule } from '../handoff/handoff.module';
import { FindingsModule } from '../findings/findings.module';
import { PlansModule } from '../plans/plans.module';
import { PlanningModule } from '../planning/planning.module';
import { TrainingModule } from '../training/training.module';
import { ValidationModule } from '../validation/validation.module';
import { TickController } from './tick.controller';
import { TickLock } from './tick-lock';
import { TickMetrics } from './tick.metrics';
import { TickProcessor } from './tick.processor';
import { TickScheduler } from './tick.scheduler';
import { TickService } from './tick.service';

/** The loop's heartbeat: analyze → plan → validate → execute, scheduled and by REST, one at a time. */
@Module({
  imports: [
    BullModule.registerQueue({ name: QUEUES.oracle }),
    AnalysisModule,
    PlanningModule,
    ValidationModule,
    HandoffModule,
    FindingsModule,
    PlansModule,
    TrainingModule,
  ],
  controllers: [TickController],
  providers: [TickService, TickLock, TickMetrics, TickProcessor, TickScheduler],
})
export class TickModule {}
