import { Processor } from '@nestjs/bullmq';
import { JOBS, QUEUES, type BuildDatasetJob, type DeliverTrainingRequestJob } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import type { Job } from 'bullmq';
import { TrainerDelivery, trainingRequestedMessage } from './trainer-delivery';
import { TrainingService } from './training.service';

/**
 * The training queue's worker: dataset builds, then deliveries of training requests (retried
 * with exponential backoff by the job options; the last failure marks the request failed).
 */
@Processor(QUEUES.training)
export class TrainingProcessor extends ResilientWorkerHost {
  private readonly warnings = new DistinctWarnings(this.logger);

  constructor(
    private readonly training: TrainingService,
    private readonly delivery: TrainerDelivery,
    redis: RedisService,
  ) {
    super(redis);
  }

  async process(job: Job<BuildDatasetJob | DeliverTrainingRequestJob>): Promise<unknown> {
    if (job.name === JOBS.buildDataset) {
      const manifest = await this.training.buildQueued(job.data as BuildDatasetJob);
      return manifest?.counts;
    }
    if (job.name === JOBS.deliverTrainingRequest) return this.deliver(job as Job<DeliverTrainingRequestJob>);
    return undefined;
  }

  private async deliver(job: Job<DeliverTrainingRequestJob>): Promise<string[]> {
    const id = job.data.training_request_id;
    const found = await this.training.deliveryOf(id);
    // A completed or skipped request is not (re)sent.
    if (!found || ['completed', 'skipped'].includes(found.request.status) || found.dataset.status !== 'ready')
      return [];
    const attempt = job.attemptsMade + 1;
    const message = trainingRequestedMessage(found.request, found.dataset);
    try {
      // NATS on the first attempt only (listeners dedupe by training_request_id anyway); the webhook until it answers 2xx.
      const channels: string[] = [];
      if (attempt === 1) {
        await this.delivery.announce(message);
        channels.push('nats');
      }
      if (await this.delivery.post(message)) channels.push('webhook');
      await this.training.markDelivered(id, attempt, channels);
      return channels;
    } catch (error) {
      const final = attempt >= (job.opts.attempts ?? 1);
      await this.training.recordAttemptFailed(id, attempt, (error as Error).message, final);
      throw error;
    }
  }

  protected override reportWorkerError(error: Error): void {
    this.warnings.warn(`training worker: ${error.message}`);
  }
}
