import { Module } from '@nestjs/common';
import { AgentConfigModule } from '../agent-config/agent-config.module';
import { MetricDefinitionsCache } from '../metric-definitions/metric-definitions.cache';
import { MetricsChangedListener } from '../metric-definitions/metrics-changed.listener';
import { DedupeService } from '../publishing/dedupe.service';
import { EventPublisher } from '../publishing/event-publisher.service';
import { FeedbackController } from './feedback.controller';
import { FeedbackMetrics } from './feedback.metrics';
import { FeedbackService } from './feedback.service';

@Module({
  imports: [AgentConfigModule],
  controllers: [FeedbackController, MetricsChangedListener],
  providers: [FeedbackService, FeedbackMetrics, EventPublisher, DedupeService, MetricDefinitionsCache],
})
export class FeedbackModule {}
