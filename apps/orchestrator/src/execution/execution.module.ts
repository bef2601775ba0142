import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { PlanExecutionProcessor } from './plan-execution.processor';
import { PlanExecutionService } from './plan-execution.service';
import { RolloutLauncher } from './rollout-launcher';

@Module({ imports: [CommonModule, MonitoringModule], providers: [RolloutLauncher, PlanExecutionService, PlanExecutionProcessor] })
export class ExecutionModule {}
