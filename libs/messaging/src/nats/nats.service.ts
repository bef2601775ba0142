import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { natsTopology, type NatsTopology } from '@metaloop/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { connectNats, openJetStream, type JetStreamContext } from '../jetstream/jetstream';
import { NATS_OPTIONS, type NatsModuleOptions } from './nats.options';

/** Carries its HTTP meaning (the problem+json filter in libs/platform reads it): 503, retry shortly. */
export class NatsUnavailableError extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 2;

  constructor(reason: string) {
    super(`NATS is unavailable: ${reason}`);
    this.name = 'NatsUnavailableError';
  }
}

/**
 * The app's NATS connection. It connects in the background and reconnects forever, so the
 * app starts and stays up while NATS is down; readiness and `context()` say when it is usable.
 */
@Injectable()
export class NatsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NatsService.name);
  readonly topology: NatsTopology;
  private nc?: NatsConnection;
  private jetStream?: JetStreamContext;
  private connected = false;
  private lastProblem = 'connecting';
  private stopping = false;
  private readonly listeners = new Set<Listener>();
  private readonly connectListeners = new Set<() => void>();

  constructor(@Inject(NATS_OPTIONS) private readonly options: NatsModuleOptions) {
    this.topology = natsTopology({ prefix: options.prefix });
  }

  onModuleInit(): void {
    void this.connect();
  }

  /**
   * A core-NATS subscription for the life of the app (e.g. `config.changed`), until the
   * returned function ends it. It is made as soon as NATS connects, and the client renews it
   * after every reconnect.
   */
  subscribe(subject: string, handler: (msg: Msg) => void): () => void {
    const listener: Listener = { subject, handler };
    this.listeners.add(listener);
    if (this.nc && !this.nc.isClosed()) this.attach(this.nc, listener);
    return () => {
      this.listeners.delete(listener);
      listener.subscription?.unsubscribe();
    };
  }

  /**
   * Calls `listener` after every (re)connect, once the subscriptions are live again: core
   * messages published while disconnected are lost, so whoever caches what they announce
   * reloads here. Returns the function that removes the listener.
   */
  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** The JetStream context, or NatsUnavailableError (mapped to 503) while disconnected. */
  context(): JetStreamContext {
    if (!this.jetStream || !this.connected) throw new NatsUnavailableError(this.lastProblem);
    return this.jetStream;
  }

  /**
   * Readiness: a JetStream API round trip, so a server without JetStream counts as down.
   * Fails with NatsUnavailableError and a reason, also when the server just went silent.
   */
  async ping(timeoutMs = 1_500): Promise<void> {
    const { jsm } = this.context();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        jsm.getAccountInfo(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`JetStream did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw new NatsUnavailableError(this.connected ? (error as Error).message : this.lastProblem);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }

  /**
   * Retries the first connection itself (rather than the client's waitOnFirstConnect) so a
   * shutdown can stop it: a connect that outlives the app would keep the process alive.
   */
  private async connect(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        const nc = await connectNats({
          servers: this.options.servers,
          name: this.options.name,
          timeoutMs: this.options.timeoutMs ?? 2_000,
        });
        if (this.stopping) {
          await nc.close();
          return;
        }
        this.nc = nc;
        break;
      } catch (error) {
        this.lastProblem = `cannot connect to ${this.options.servers.join(', ')}: ${(error as Error).message}`;
        if (attempt === 1 || attempt % 20 === 0) this.logger.warn(`${this.lastProblem} (retrying)`);
        await new Promise((resolve) => setTimeout(resolve, 500).unref());
      }
    }
    if (!this.nc) return;
    void this.watch(this.nc);
    for (const listener of this.listeners) this.attach(this.nc, listener);
    await this.onConnected(this.nc);
  }

  private attach(nc: NatsConnection, listener: Listener): void {
    const { subject, handler } = listener;
    listener.subscription = nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) this.logger.warn(`subscription to ${subject} failed: ${error.message}`);
        else handler(msg);
      },
    });
  }

  private async onConnected(nc: NatsConnection): Promise<void> {
    try {
      this.jetStream = await openJetStream(nc, this.topology, {
        ensureStreams: this.options.ensureStreams ?? false,
        timeoutMs: this.options.timeoutMs,
      });
      this.connected = true;
      this.logger.log(`connected to NATS ${nc.getServer()} with JetStream`);
    } catch (error) {
      this.connected = false;
      this.lastProblem = `JetStream unavailable: ${(error as Error).message}`;
      this.logger.error(this.lastProblem);
    }
    // Core subscriptions work without JetStream: their listeners learn of the connection either way.
    for (const listener of this.connectListeners) {
      try {
        listener();
      } catch (error) {
        this.logger.warn(`a connect listener failed: ${(error as Error).message}`);
      }
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.lastProblem = `disconnected from ${status.server}, reconnecting`;
        this.logger.warn(this.lastProblem);
      } else if (status.type === 'reconnect') {
        await this.onConnected(nc);
      }
    }
    if (!this.stopping) {
      this.connected = false;
      this.lastProblem = 'connection closed';
    }
  }
}

interface Listener {
  subject: string;
  handler: (msg: Msg) => void;
  subscription?: Subscription;
}
