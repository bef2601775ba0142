import { Module } from '@nestjs/common';
import { ExamplesModule } from '../examples/examples.module';
import { MemoryModule } from '../memory/memory.module';
import { DeadLetterer } from './dead-letterer';
import { IngestConsumer } from './ingest.consumer';
import { IngestMetrics } from './ingest.metrics';
import { IngestMonitor } from './ingest.monitor';
import { IngestService } from './ingest.service';
import { IngestWriter } from './ingest.writer';

/** JetStream FEEDBACK → Postgres: raw events, per-minute rollups, dead letters; then examples (DICL) and subject memory. */
@Module({
  imports: [ExamplesModule, MemoryModule],
  providers: [IngestConsumer, IngestService, IngestWriter, DeadLetterer, IngestMetrics, IngestMonitor],
})
export class IngestModule {}
