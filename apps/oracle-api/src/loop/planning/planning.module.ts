import { Module } from '@nestjs/common';
import { AgentSnapshotsModule } from '../../common/agent-snapshots.module';
import { FindingsModule } from '../findings/findings.module';
import { PlansModule } from '../plans/plans.module';
import { PlanningController } from './planning.controller';
import { LlmProposer } from './llm-proposer';
import { PlanningService } from './planning.service';

@Module({
  imports: [AgentSnapshotsModule, FindingsModule, PlansModule],
  controllers: [PlanningController],
  providers: [PlanningService, LlmProposer],
  exports: [PlanningService],
})
export class PlanningModule {}
