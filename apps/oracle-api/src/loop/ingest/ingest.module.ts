import { Module } from '@nestjs/common';
import { DeadLetterer } from './dead-letterer';
import { IngestConsumer } from './ingest.consumer';
import { IngestMetrics } from './ingest.metrics';
import { IngestMonitor } from './ingest.monitor';
import { IngestService } from './ingest.service';
import { IngestWriter } from './ingest.writer';

/** JetStream FEEDBACK → Postgres: raw events, per-minute rollups, dead letters. */
@Module({
  providers: [IngestConsumer, IngestService, IngestWriter, DeadLetterer, IngestMetrics, IngestMonitor],
})
export class IngestModule {}
