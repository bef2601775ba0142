import { prefixSubject } from '@metaloop/contracts';
import type { Msg } from '@nats-io/transport-node';
import { NatsContext, NatsRequestJSONDeserializer, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { NatsService } from '../nats/nats.service';

/** Transport id of NatsEventsServer (Nest's own NATS transport keeps Transport.NATS). */
export const NATS_EVENTS_TRANSPORT = Symbol('metaloop-nats-events');

interface NatsEventsMap extends Record<string, (...args: never[]) => unknown> {
  /** After every (re)connect of the app's NATS connection. */
  connect: () => void;
}

/**
 * The Nest microservice transport for `@EventPattern` handlers on core NATS (`config.changed`
 * and the other notifications between apps). It rides on the app's NatsService connection,
 * which connects in the background and reconnects forever, so an app starts and stays up
 * while NATS is down and its subscriptions come back by themselves. Each pattern is
 * subscribed under the app's NATS_PREFIX, so suites sharing one server never hear each other.
 * Every replica hears every event (no queue group): each keeps its own cache fresh.
 * Events only: request-reply between apps goes through queues, not @MessagePattern.
 */
export class NatsEventsServer extends Server<NatsEventsMap> implements CustomTransportStrategy {
  override readonly transportId = NATS_EVENTS_TRANSPORT;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly nats: NatsService) {
    super();
    this.deserializer = new NatsRequestJSONDeserializer();
  }

  listen(callback: (error?: unknown) => void): void {
    const requestHandlers = [...this.messageHandlers]
      .filter(([, handler]) => !handler.isEventHandler)
      .map(([pattern]) => pattern);
    if (requestHandlers.length > 0) {
      callback(
        new Error(
          `NatsEventsServer serves @EventPattern handlers only; @MessagePattern ${requestHandlers.join(', ')} has no transport`,
        ),
      );
      return;
    }
    for (const pattern of this.messageHandlers.keys()) {
      const subject = prefixSubject(this.nats.topology.prefix, pattern);
      this.unsubscribes.push(this.nats.subscribe(subject, (msg) => void this.dispatch(pattern, msg)));
    }
    callback();
  }

  /** Stops the subscriptions; the connection itself closes with the app (NatsService). */
  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  on<K extends keyof NatsEventsMap>(event: K, callback: NatsEventsMap[K]): () => void {
    if (event !== 'connect') throw new Error(`NatsEventsServer emits "connect" only, not "${String(event)}"`);
    return this.nats.onConnect(callback);
  }

  unwrap<T>(): T {
    return this.nats.context().nc as T;
  }

  private async dispatch(pattern: string, msg: Msg): Promise<void> {
    try {
      const packet = await this.deserializer.deserialize(msg, { channel: pattern });
      await this.handleEvent(pattern, packet, new NatsContext([msg.subject, msg.headers]));
    } catch (error) {
      this.logger.error(`event on ${msg.subject} not handled: ${(error as Error).message}`);
    }
  }
}
