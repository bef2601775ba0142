import { Controller, Injectable, type INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, NatsContext, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { eventually, isolationId, startNatsServer, testEnv, type TestNatsServer } from '@metaloop/testing';
import { lastValueFrom } from 'rxjs';
import { connectNats } from '../jetstream/jetstream';
import { NatsModule } from '../nats/nats.module';
import { NatsService } from '../nats/nats.service';
import { NatsEventsClient } from './nats-events.client';
import { NatsEventsServer } from './nats-events.server';

@Injectable()
class Inbox {
  readonly received: Array<{ data: unknown; subject: string }> = [];
}

@Controller()
class ProbeListener {
  constructor(private readonly inbox: Inbox) {}

  // <string>: the untyped overload, whose handlers may take the context as well.
  @EventPattern<string>('probe.changed')
  onProbe(@Payload() data: unknown, @Ctx() context: NatsContext): void {
    this.inbox.received.push({ data, subject: context.getSubject() });
  }
}

@Controller()
class RequestListener {
  @MessagePattern('probe.ask')
  answer(): string {
    return 'never served';
  }
}

/** One app-like microservice: NatsModule under `prefix`, the listener, the event transport. */
async function startListener(
  servers: string,
  prefix: string,
  controller: typeof ProbeListener | typeof RequestListener = ProbeListener,
) {
  const moduleRef = await Test.createTestingModule({
    imports: [NatsModule.forRoot({ servers: [servers], name: `events-${prefix}`, prefix, timeoutMs: 1_000 })],
    controllers: [controller],
    providers: [Inbox],
  }).compile();
  const server = new NatsEventsServer(moduleRef.get(NatsService));
  const microservice: INestMicroservice = moduleRef.createNestMicroservice({ strategy: server });
  return {
    moduleRef,
    server,
    microservice,
    inbox: moduleRef.get(Inbox),
    client: moduleRef.get(NatsEventsClient),
    nats: moduleRef.get(NatsService),
  };
}

describe('@EventPattern handlers over core NATS, prefixed (NatsEventsServer, NatsEventsClient)', () => {
  const prefixA = isolationId('events_a');
  const prefixB = isolationId('events_b');
  let a: Awaited<ReturnType<typeof startListener>>;
  let b: Awaited<ReturnType<typeof startListener>>;

  beforeAll(async () => {
    a = await startListener(testEnv.TEST_NATS_URL, prefixA);
    b = await startListener(testEnv.TEST_NATS_URL, prefixB);
    await Promise.all([a.microservice.listen(), b.microservice.listen()]);
    await eventually(() => Promise.all([a.nats.ping(), b.nats.ping()]));
  });

  afterAll(async () => {
    await Promise.all([a?.microservice.close(), b?.microservice.close()]);
  });

  it('delivers an emitted event to the handlers under the same prefix only, as plain JSON', async () => {
    const raw = await connectNats({ servers: testEnv.TEST_NATS_URL, name: 'events-spy' });
    const onWire: string[] = [];
    raw.subscribe(`${prefixA}.probe.changed`, { callback: (_error, msg) => void onWire.push(msg.string()) });
    await raw.flush();

    await lastValueFrom(a.client.emit('probe.changed', { agent_id: 'x', version: 2 }), { defaultValue: undefined });
    await eventually(() =>
      expect(a.inbox.received).toEqual([{ data: { agent_id: 'x', version: 2 }, subject: `${prefixA}.probe.changed` }]),
    );
    expect(onWire).toEqual(['{"agent_id":"x","version":2}']);
    await b.nats.context().nc.flush();
    expect(b.inbox.received).toEqual([]);
    await raw.close();
  });

  it('hands a message any NATS client published to the handler', async () => {
    b.nats.context().nc.publish(`${prefixB}.probe.changed`, JSON.stringify({ from: 'outside' }));
    await eventually(() =>
      expect(b.inbox.received).toEqual([{ data: { from: 'outside' }, subject: `${prefixB}.probe.changed` }]),
    );
  });

  it('refuses send() (request-reply) with a clear error', async () => {
    await expect(lastValueFrom(a.client.send('probe.ask', {}))).rejects.toThrow(/emits events only/);
  });

  it('refuses to listen for @MessagePattern handlers', async () => {
    const requests = await startListener(testEnv.TEST_NATS_URL, isolationId('events_req'), RequestListener);
    await expect(requests.microservice.listen()).rejects.toThrow(
      /@EventPattern handlers only; @MessagePattern probe.ask/,
    );
    await requests.microservice.close();
  });
});

describe('NatsEventsServer across a NATS restart', () => {
  let nats: TestNatsServer;
  let listener: Awaited<ReturnType<typeof startListener>>;
  let connects = 0;

  beforeAll(async () => {
    nats = await startNatsServer();
    listener = await startListener(nats.url, isolationId('events_restart'));
    listener.server.on('connect', () => connects++);
    await listener.microservice.listen();
    await eventually(() => listener.nats.ping());
  });

  afterAll(async () => {
    await listener?.microservice.close();
    await nats?.dispose();
  });

  it('reports every (re)connect and keeps delivering after it', async () => {
    expect(connects).toBe(1);
    await nats.kill();
    await eventually(() => expect(() => listener.nats.context()).toThrow(/NATS is unavailable/));
    await expect(lastValueFrom(listener.client.emit('probe.changed', { lost: true }))).rejects.toThrow(
      /NATS is unavailable/,
    );

    await nats.start();
    await eventually(() => expect(connects).toBe(2), 15_000);
    await eventually(async () => {
      await lastValueFrom(listener.client.emit('probe.changed', { after: 'restart' }), { defaultValue: undefined });
      expect(listener.inbox.received.map((r) => r.data)).toContainEqual({ after: 'restart' });
    });
  });
});
