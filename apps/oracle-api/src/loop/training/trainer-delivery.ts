import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Dataset, TrainingRequest } from '@metaloop/db';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from '@metaloop/adapters';
import { CORE_SUBJECTS, type DatasetManifest, type TrainingRequestedMessage } from '@metaloop/contracts';
import { NatsEventsClient } from '@metaloop/messaging';
import { lastValueFrom } from 'rxjs';
import type { Env } from '../../config/env.schema';

/** The announcement of a training request: the dataset's location, file routes and manifest. */
export function trainingRequestedMessage(request: TrainingRequest, dataset: Dataset): TrainingRequestedMessage {
  const files = `/api/v1/datasets/${dataset.id}/files`;
  return {
    training_request_id: request.id,
    agent_id: request.agentId,
    dataset_id: dataset.id,
    kind: dataset.kind,
    reason: request.reason,
    finding_id: request.findingId,
    location: dataset.location ?? dataset.id,
    files: { train: `${files}/train`, validation: `${files}/validation`, manifest: `${files}/manifest` },
    manifest: dataset.manifest as DatasetManifest,
    requested_at: request.createdAt.toISOString(),
  };
}

/**
 * Hands a training request to the trainer: `training.requested` on core NATS, and — when
 * TRAINER_URL is set — a POST of the same JSON, signed like the router webhook
 * (`x-metaloop-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * `x-metaloop-delivery: <request id>`). A non-2xx answer or a timeout throws, so the job retries.
 */
@Injectable()
export class TrainerDelivery {
  constructor(
    private readonly events: NatsEventsClient,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async announce(message: TrainingRequestedMessage): Promise<void> {
    await lastValueFrom(this.events.emit(CORE_SUBJECTS.trainingRequested, message), { defaultValue: undefined });
  }

  /** Whether a webhook is configured; POSTs it when it is. */
  async post(message: TrainingRequestedMessage): Promise<boolean> {
    const url = this.config.get('TRAINER_URL', { infer: true });
    const secret = this.config.get('TRAINER_SECRET', { infer: true });
    if (!url || !secret) return false;
    const body = JSON.stringify(message);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
        [DELIVERY_HEADER]: message.training_request_id,
      },
      body,
      signal: AbortSignal.timeout(this.config.get('TRAINER_TIMEOUT_MS', { infer: true })),
    });
    if (!response.ok) throw new Error(`trainer answered ${response.status} ${(await response.text()).slice(0, 200)}`);
    return true;
  }
}
