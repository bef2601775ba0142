import { connectJetStream, type JetStreamContext } from '@metaloop/messaging';
import { isolationId, testEnv } from '@metaloop/testing';
import { ensureConsumer, ingestConsumer } from './ensure-consumer';

describe('ensureConsumer (real NATS)', () => {
  let ctx: JetStreamContext;

  beforeAll(async () => {
    ctx = await connectJetStream({
      servers: testEnv.TEST_NATS_URL,
      name: 'ensure-consumer-spec',
      prefix: isolationId('ensure_consumer'),
    });
  });

  afterAll(async () => {
    for (const stream of Object.values(ctx.topology.streams))
      await ctx.jsm.streams.delete(stream.name).catch(() => undefined);
    await ctx.nc.close();
  });

  it('creates the durable consumer, is idempotent when replicas race, and updates changed settings', async () => {
    const { stream, durable, config } = ingestConsumer(ctx.topology);
    await Promise.all([1, 2, 3].map(() => ensureConsumer(ctx.jsm, stream, durable, { ...config, max_deliver: 5 })));
    expect((await ctx.jsm.consumers.info(stream, durable)).config).toMatchObject({
      durable_name: 'oracle-ingest',
      max_deliver: 5,
      filter_subject: config.filter_subject,
    });

    await ensureConsumer(ctx.jsm, stream, durable, { ...config, max_deliver: 7 });
    expect((await ctx.jsm.consumers.info(stream, durable)).config.max_deliver).toBe(7);
  });

  it('leaves other failures, such as a missing stream, to the caller', async () => {
    await expect(
      ensureConsumer(ctx.jsm, 'NO_SUCH_STREAM', 'x', { ack_policy: ingestConsumer(ctx.topology).config.ack_policy }),
    ).rejects.toThrow(/stream not found/i);
  });
});
