import { Module } from '@nestjs/common';
import { AgentSnapshots } from '../../common/agent-snapshots';
import { FindingsModule } from '../findings/findings.module';
import { PlansModule } from '../plans/plans.module';
import { PlanningController } from './planning.controller';
import { LlmProposer } from './llm-proposer';
import { PlanningService } from './planning.service';

@Module({
  imports: [FindingsModule, PlansModule],
  controllers: [PlanningController],
  providers: [PlanningService, AgentSnapshots, LlmProposer],
  exports: [PlanningService],
})
export class PlanningModule {}
