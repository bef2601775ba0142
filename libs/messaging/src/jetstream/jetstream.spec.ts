import { isolationId, testEnv } from '@metaloop/testing';
import { connectJetStream, ensureStreams, type JetStreamContext } from './jetstream';
import { natsTopology } from '@metaloop/contracts';

describe('connectJetStream / ensureStreams (real NATS)', () => {
  const prefix = isolationId('events');
  let ctx: JetStreamContext;

  beforeAll(async () => {
    ctx = await connectJetStream({ servers: testEnv.TEST_NATS_URL, name: 'events-spec', prefix });
  });

  afterAll(async () => {
    for (const stream of Object.values(ctx.topology.streams))
      await ctx.jsm.streams.delete(stream.name).catch(() => undefined);
    await ctx.nc.close();
  });

  it('creates the feedback and dead-letter streams with their subjects', async () => {
    const feedback = await ctx.jsm.streams.info(ctx.topology.streams.feedback.name);
    expect(feedback.config.subjects).toEqual([`${prefix}.feedback.>`]);
    expect(feedback.config.duplicate_window).toBe(120_000_000_000);
    const dlq = await ctx.jsm.streams.info(ctx.topology.streams.deadLetters.name);
    expect(dlq.config.subjects).toEqual([`${prefix}.dlq.feedback.>`]);
  });

  it('is idempotent, also when replicas race', async () => {
    await Promise.all([1, 2, 3].map(() => ensureStreams(ctx.jsm, ctx.topology)));
    const names: string[] = [];
    for await (const name of ctx.jsm.streams.names()) if (name.startsWith(prefix.toUpperCase())) names.push(name);
    expect(names.sort()).toEqual([ctx.topology.streams.feedback.name, ctx.topology.streams.deadLetters.name].sort());
  });

  it('updates a stream whose settings changed', async () => {
    await ensureStreams(ctx.jsm, natsTopology({ prefix, duplicateWindowMs: 60_000 }));
    const info = await ctx.jsm.streams.info(ctx.topology.streams.feedback.name);
    expect(info.config.duplicate_window).toBe(60_000_000_000);
  });

  it('acknowledges a publish and drops a duplicate message id', async () => {
    const subject = ctx.topology.subjects.feedback('explicit', 'agent_a');
    const first = await ctx.js.publish(subject, '{}', { msgID: 'evt-1' });
    const again = await ctx.js.publish(subject, '{}', { msgID: 'evt-1' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
  });
});
