// The baselines of the benchmarks, in their own process so they get a CPU the way feedback-api
// does: a bare Fastify POST answering 202, the same route awaiting one JetStream ack per
// request (the ceiling that group commit is meant to break), and a bare Fastify GET answering
// a fixed agent config (what the cached config endpoint is measured against).
import Fastify from 'fastify';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';

const [port, natsUrl, prefix, configBody] = process.argv.slice(2);
const stream = `${prefix.toUpperCase()}_BASELINE`;
const nc = await connect({ servers: natsUrl });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: stream, subjects: [`${prefix}.baseline.>`], storage: 'file' });
const js = jetstream(nc);

const app = Fastify({ logger: false });
app.post('/bare', async (_request, reply) => reply.code(202).send({ status: 'accepted' }));
app.post('/ack', async (request, reply) => {
  await js.publish(`${prefix}.baseline.events`, JSON.stringify(request.body));
  return reply.code(202).send({ status: 'accepted' });
});
app.get('/api/v1/agents/:agent_id/config', async (_request, reply) =>
  reply.header('content-type', 'application/json; charset=utf-8').send(configBody),
);
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');

process.on('SIGTERM', async () => {
  await app.close();
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
  process.exit(0);
});
