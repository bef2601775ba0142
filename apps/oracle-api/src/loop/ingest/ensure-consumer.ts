import type { ConsumerDefinition, NatsTopology } from '@metaloop/contracts';
import { JetStreamApiError, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';

/** What `jsm.consumers.update` may change on an existing durable consumer. */
const UPDATABLE = [
  'description',
  'ack_wait',
  'max_deliver',
  'max_ack_pending',
  'max_waiting',
  'sample_freq',
  'headers_only',
] as const;

/**
 * Creates the durable pull consumer, or brings an existing one to `config`. Safe from every
 * replica on every (re)connect: adding an identical consumer is a no-op for JetStream, and a
 * consumer that exists with other settings (say a changed INGEST_MAX_DELIVER) is updated.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  config: Partial<ConsumerConfig>,
): Promise<void> {
  try {
    await jsm.consumers.add(stream, { ...config, durable_name: durable });
    return;
  } catch (error) {
    // Anything but "exists with different settings" (e.g. the stream is missing) is for the caller.
    if (!(error instanceof JetStreamApiError) || !/exist|in use/i.test(error.message)) throw error;
  }
  const changes: Partial<ConsumerConfig> = {};
  for (const key of UPDATABLE) if (config[key] !== undefined) Object.assign(changes, { [key]: config[key] });
  await jsm.consumers.update(stream, durable, changes);
}

/** The ingest consumer of the topology, its durable name made definite. */
export function ingestConsumer(topology: NatsTopology): {
  stream: string;
  durable: string;
  config: ConsumerDefinition;
} {
  const { stream, config } = topology.consumers.ingest;
  return { stream, durable: config.durable_name ?? 'oracle-ingest', config };
}
