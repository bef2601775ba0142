import { Test, type TestingModule } from '@nestjs/testing';
import { eventually, isolationId, startNatsServer, type TestNatsServer } from '@metaloop/testing';
import { NatsModule } from './nats.module';
import { NatsService, NatsUnavailableError } from './nats.service';

describe('NatsService against its own nats-server', () => {
  let server: TestNatsServer;
  let moduleRef: TestingModule;
  let nats: NatsService;
  const received: string[] = [];
  const prefix = isolationId('nats');

  beforeAll(async () => {
    server = await startNatsServer();
    moduleRef = await Test.createTestingModule({
      imports: [
        NatsModule.forRoot({ servers: [server.url], name: 'nats-spec', prefix, ensureStreams: true, timeoutMs: 1_000 }),
      ],
    }).compile();
    await moduleRef.init();
    nats = moduleRef.get(NatsService);
  });

  afterAll(async () => {
    await moduleRef.close();
    await server.dispose();
  });

  it('connects in the background and creates the streams', async () => {
    await eventually(() => nats.ping());
    const info = await nats.context().jsm.streams.info(nats.topology.streams.feedback.name);
    expect(info.config.subjects).toEqual([`${prefix}.feedback.>`]);
  });

  it('keeps core subscriptions across reconnects', async () => {
    nats.subscribe(`${prefix}.probe`, (msg) => received.push(msg.string()));
    await eventually(async () => {
      nats.context().nc.publish(`${prefix}.probe`, 'one');
      await nats.context().nc.flush();
      expect(received).toContain('one');
    });
  });

  it('reports NATS down with the reason instead of crashing, then recovers by itself', async () => {
    await server.kill();
    const down = await eventually(async () => {
      const error = await nats.ping().then(
        () => undefined,
        (e: Error) => e,
      );
      if (!error) throw new Error('still answering');
      return error;
    });
    expect(down).toBeInstanceOf(NatsUnavailableError);
    expect(down.message).toMatch(/^NATS is unavailable: (disconnected from|JetStream did not answer)/);
    await eventually(() => expect(() => nats.context()).toThrow(/NATS is unavailable: disconnected from/));

    await server.start();
    await eventually(() => nats.ping(), 15_000);
    const ack = await nats.context().js.publish(nats.topology.subjects.feedback('implicit', 'a'), '{}');
    expect(ack.stream).toBe(nats.topology.streams.feedback.name);
    await eventually(async () => {
      nats.context().nc.publish(`${prefix}.probe`, 'after-restart');
      await nats.context().nc.flush();
      expect(received).toContain('after-restart');
    });
  });
});
