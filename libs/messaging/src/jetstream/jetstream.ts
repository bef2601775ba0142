import {
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { natsTopology, type NatsTopology, type StreamDefinition, type TopologyOptions } from '@metaloop/contracts';

export interface NatsConnectOptions {
  servers: string | string[];
  /** Client name shown by the server (`nats server report connections`). */
  name: string;
  timeoutMs?: number;
}

export interface JetStreamConnectOptions extends NatsConnectOptions, TopologyOptions {}

export interface JetStreamContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: NatsTopology;
}

/**
 * A NATS connection that reconnects forever: a NATS restart only pauses metaloop. Without
 * async traces: the client would capture a stack for every request and subscription timeout
 * (each JetStream publish), which showed as a few percent of feedback-api's ingest CPU; its
 * errors still say what failed.
 */
export function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const settings: ConnectionOptions = {
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5_000,
    maxPingOut: 2,
    timeout: options.timeoutMs ?? 5_000,
    noAsyncTraces: true,
  };
  return connect(settings);
}

/** JetStream on an open connection; fails when the server runs without JetStream. */
export async function openJetStream(
  nc: NatsConnection,
  topology: NatsTopology,
  options: { ensureStreams?: boolean; timeoutMs?: number } = {},
): Promise<JetStreamContext> {
  const jsm = await jetstreamManager(nc, { timeout: options.timeoutMs ?? 5_000 });
  if (options.ensureStreams ?? true) await ensureStreams(jsm, topology);
  return { nc, js: jetstream(nc, { timeout: options.timeoutMs ?? 5_000 }), jsm, topology };
}

/** Connects, checks JetStream is enabled and makes sure metaloop's streams exist. */
export async function connectJetStream(options: JetStreamConnectOptions): Promise<JetStreamContext> {
  const nc = await connectNats(options);
  try {
    return await openJetStream(nc, natsTopology(options), { timeoutMs: options.timeoutMs });
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw error;
  }
}

/** Creates or updates the streams; safe to call from every replica on every start. */
export async function ensureStreams(jsm: JetStreamManager, topology: NatsTopology): Promise<void> {
  for (const stream of Object.values(topology.streams)) await ensureStream(jsm, stream);
}

async function ensureStream(jsm: JetStreamManager, stream: StreamDefinition): Promise<void> {
  try {
    await jsm.streams.info(stream.name);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    try {
      await jsm.streams.add(stream);
      return;
    } catch (addError) {
      // Another replica created it between our info and add: fall through to update.
      if (!(addError instanceof JetStreamApiError) || !/already in use/i.test(addError.message)) throw addError;
    }
  }
  await jsm.streams.update(stream.name, stream);
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10059;
}
