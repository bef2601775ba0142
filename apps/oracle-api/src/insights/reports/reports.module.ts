import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { PatternsModule } from '../patterns/patterns.module';
import { ReportWebhook } from './report-webhook';
import { ReportsController } from './reports.controller';
import { ReportsMetrics } from './reports.metrics';
import { ReportsProcessor } from './reports.processor';
import { ReportsScheduler } from './reports.scheduler';
import { ReportsService } from './reports.service';

/** Weekly/monthly reports (seed 003): on demand and on the BullMQ schedule. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.reports }), PatternsModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportsMetrics, ReportWebhook, ReportsScheduler, ReportsProcessor],
})
export class ReportsModule {}
