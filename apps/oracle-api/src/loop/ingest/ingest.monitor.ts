import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NatsService } from '@metaloop/messaging';
import type { Env } from '../../config/env.schema';
import { ingestConsumer } from './ensure-consumer';
import { IngestMetrics } from './ingest.metrics';

/**
 * Reads the consumer backlog and the DLQ depth for the gauges every few seconds. Polled, not
 * read at scrape time, so a slow or absent NATS never slows /metrics; the gauges keep their
 * last value while NATS is away.
 */
@Injectable()
export class IngestMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly nats: NatsService,
    private readonly metrics: IngestMetrics,
    private readonly config: ConfigService<Env, true>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.poll(), this.config.get('INGEST_GAUGE_POLL_MS', { infer: true }));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { jsm, topology } = this.nats.context();
      const { stream, durable } = ingestConsumer(topology);
      const [consumer, deadLetters] = await Promise.all([
        jsm.consumers.info(stream, durable),
        jsm.streams.info(topology.streams.deadLetters.name),
      ]);
      this.metrics.consumerPending.set(consumer.num_pending + consumer.num_ack_pending);
      this.metrics.deadLetterDepth.set(deadLetters.state.messages);
    } catch {
      // NATS away or the consumer not created yet: keep the last values, try next time.
    } finally {
      this.polling = false;
    }
  }
}
