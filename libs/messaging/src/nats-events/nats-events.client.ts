import { Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { prefixSubject } from '@metaloop/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsService } from '../nats/nats.service';

/**
 * Emits events to NatsEventsServer handlers of every app: `client.emit(pattern, data)`
 * publishes `data` as plain JSON on core NATS, under the app's NATS_PREFIX, over the app's
 * NatsService connection. The observable fails with NatsUnavailableError while NATS is down
 * (core NATS keeps nothing for later: callers decide whether that matters).
 */
@Injectable()
export class NatsEventsClient extends ClientProxy {
  constructor(private readonly nats: NatsService) {
    super();
  }

  connect(): Promise<NatsConnection> {
    return Promise.resolve(this.nats.context().nc);
  }

  /** Nothing to close: the connection is the app's NatsService's and closes with the app. */
  close(): void {}

  unwrap<T>(): T {
    return this.nats.context().nc as T;
  }

  /** Request-reply (`send`) is not offered between metaloop apps, see NatsEventsServer. */
  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('NatsEventsClient emits events only; use emit(), not send()'), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const { nc, topology } = this.nats.context();
    nc.publish(prefixSubject(topology.prefix, this.normalizePattern(packet.pattern)), JSON.stringify(packet.data));
    return undefined as T;
  }
}
