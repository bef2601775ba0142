import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MonitorModule } from '../monitor/monitor.module';
import { PlanExecutionProcessor } from './plan-execution.processor';
import { PlanExecutionService } from './plan-execution.service';
import { RolloutLauncher } from './rollout-launcher';

@Module({
  imports: [CommonModule, MonitorModule],
  providers: [RolloutLauncher, PlanExecutionService, PlanExecutionProcessor],
})
export class LaunchModule {}
