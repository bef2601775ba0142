import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local stand-in for the trainer metaloop hands training requests to (seed 001): it serves
 * oracle-api's TRAINER_URL webhook, checks the HMAC signature, "trains" by deciding the
 * adapter's quality from the dataset's manifest, and registers the artifact as a `lora`
 * candidate with `training_request_id`. Only the simulator knows the adapter's true quality
 * (`qualityOf`), as it knows its prompts' (truth/fleet.ts); metaloop sees feedback.
 */

/** The part of oracle-api's `training.requested` message the stand-in reads. */
export interface TrainingRequested {
  training_request_id: string;
  agent_id: string;
  dataset_id: string;
  reason: string;
  manifest: { counts: { train: number; validation: number } };
}

export interface TrainedAdapter {
  adapterId: string;
  agentId: string;
  trainingRequestId: string;
  datasetId: string;
  /** P(good interaction) while the adapter is attached. */
  quality: number;
  trainExamples: number;
}

export interface StandInTrainerOptions {
  /** oracle-api's TRAINER_SECRET. */
  secret: string;
  /** oracle-api, e.g. http://127.0.0.1:8092, where the artifact is registered. */
  oracleUrl: string;
  apiKey?: string;
  /** The base model of the agent's adapters (its stable config's model). */
  baseModel(agentId: string): string;
  /** The true quality of an adapter trained on `trainExamples` examples for the agent. */
  quality(agentId: string, trainExamples: number): number;
  /** Signatures older than this are refused (replays). */
  toleranceSeconds?: number;
  /**
   * A dataset with fewer training lines trains nothing (no candidate is registered), as a real
   * trainer would: e.g. an agent whose runtime sends no artifacts gets retrain triggers and empty
   * datasets. Default 1.
   */
  minTrainExamples?: number;
}

/** A request the stand-in accepted but did not train on (too few training lines). */
export interface SkippedRequest {
  trainingRequestId: string;
  agentId: string;
  datasetId: string;
  trainExamples: number;
}

export interface StandInTrainer {
  url: string;
  /** Adapters registered so far, by adapter id. */
  trained: ReadonlyMap<string, TrainedAdapter>;
  /** The true quality with these adapters attached (the best trained one), or undefined when none is the stand-in's. */
  qualityOf(attached: readonly string[]): number | undefined;
  /** Requests refused (bad signature or body) and registrations that failed, for the report. */
  errors: string[];
  /** Requests accepted but not trained on: their dataset had too few training lines. */
  skipped: readonly SkippedRequest[];
  close(): Promise<void>;
}

const SIGNATURE_HEADER = 'x-metaloop-signature';

/** `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, as oracle-api signs its webhooks. */
export function signatureValid(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.trim().split('=') as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  if (!given || !/^[0-9a-f]{64}$/i.test(given)) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

/** The adapter id a request's artifact is registered under: stable per request, so a redelivery registers nothing new. */
export const adapterIdOf = (request: Pick<TrainingRequested, 'agent_id' | 'training_request_id'>) =>
  `${request.agent_id}-ft-${request.training_request_id.replace(/-/g, '').slice(-12)}`;

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
    request.on('error', reject);
  });

export async function startStandInTrainer(options: StandInTrainerOptions, port = 0): Promise<StandInTrainer> {
  const trained = new Map<string, TrainedAdapter>();
  const errors: string[] = [];
  const skipped: SkippedRequest[] = [];
  const pending = new Set<Promise<void>>();

  const register = async (message: TrainingRequested): Promise<void> => {
    const adapterId = adapterIdOf(message);
    const trainExamples = message.manifest.counts.train;
    if (trainExamples < (options.minTrainExamples ?? 1)) {
      skipped.push({
        trainingRequestId: message.training_request_id,
        agentId: message.agent_id,
        datasetId: message.dataset_id,
        trainExamples,
      });
      return;
    }
    const quality = options.quality(message.agent_id, trainExamples);
    const response = await fetch(
      `${options.oracleUrl}/api/v1/agents/${encodeURIComponent(message.agent_id)}/candidates`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }),
        },
        body: JSON.stringify({
          type: 'lora',
          adapter_id: adapterId,
          base_model: options.baseModel(message.agent_id),
          source: `sim://stand-in-trainer/${message.dataset_id}`,
          training_request_id: message.training_request_id,
        }),
        signal: AbortSignal.timeout(15_000),
      },
    );
    // 409: registered by an earlier delivery of the same request.
    if (!response.ok && response.status !== 409) {
      errors.push(`register ${adapterId}: ${response.status} ${(await response.text()).slice(0, 200)}`);
      return;
    }
    trained.set(adapterId, {
      adapterId,
      agentId: message.agent_id,
      trainingRequestId: message.training_request_id,
      datasetId: message.dataset_id,
      quality,
      trainExamples,
    });
  };

  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      if (request.method !== 'POST') return void response.writeHead(405).end();
      const header = request.headers[SIGNATURE_HEADER];
      if (
        !signatureValid(
          options.secret,
          typeof header === 'string' ? header : undefined,
          body,
          options.toleranceSeconds ?? 300,
        )
      ) {
        errors.push('refused a request with a bad signature');
        return void response.writeHead(401).end('bad signature');
      }
      let message: TrainingRequested;
      try {
        message = JSON.parse(body) as TrainingRequested;
        if (typeof message.training_request_id !== 'string' || typeof message.agent_id !== 'string')
          throw new Error('not a training request');
      } catch (error) {
        errors.push(`refused a body: ${(error as Error).message}`);
        return void response.writeHead(400).end('not a training request');
      }
      // Accepted at once; the "training" and the registration follow, as a real trainer's would.
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
      const job = register(message).catch((error: Error) => void errors.push(`register: ${error.message}`));
      pending.add(job);
      void job.finally(() => pending.delete(job));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/train`,
    trained,
    errors,
    skipped,
    qualityOf: (attached) => {
      const qualities = attached.flatMap((id) => (trained.has(id) ? [trained.get(id)!.quality] : []));
      return qualities.length ? Math.max(...qualities) : undefined;
    },
    close: async () => {
      await Promise.all(pending);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A plausible learning curve for `quality`: from the agent's stable quality towards `ceiling`,
 * half the gap closed at `halfAt` training examples.
 */
export function learningCurve(stable: number, ceiling: number, halfAt = 200) {
  return (trainExamples: number) =>
    Math.round((stable + (ceiling - stable) * (trainExamples / (trainExamples + halfAt))) * 1000) / 1000;
}
