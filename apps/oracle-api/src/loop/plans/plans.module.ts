import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { FindingsModule } from '../findings/findings.module';
import { PlansController } from './plans.controller';
import { PlansMetrics } from './plans.metrics';
import { PlansService } from './plans.service';

@Module({
  imports: [ControlModule, FindingsModule],
  controllers: [PlansController],
  providers: [PlansService, PlansMetrics],
  exports: [PlansService],
})
export class PlansModule {}
