import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MonitorSchedules } from './monitor-schedules';
import { PromotionService } from './promotion.service';
import { RolloutMonitorProcessor } from './rollout-monitor.processor';
import { RolloutMonitor } from './rollout-monitor.service';
import { RolloutReadings } from './rollout-readings';

@Module({
  imports: [CommonModule],
  providers: [MonitorSchedules, RolloutReadings, PromotionService, RolloutMonitor, RolloutMonitorProcessor],
  exports: [MonitorSchedules, PromotionService],
})
export class MonitorModule {}
