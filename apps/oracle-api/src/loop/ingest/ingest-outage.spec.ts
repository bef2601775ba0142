import { testEnv, eventually } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { tcpProxy, type TcpProxy } from '../../__tests__/tcp-proxy';

describe('ingest through a Postgres outage (the database behind a proxy the test can cut)', () => {
  let proxy: TcpProxy;
  let h: OracleHarness;

  beforeAll(async () => {
    const target = new URL(testEnv.TEST_DATABASE_URL);
    proxy = await tcpProxy(Number(target.port || 5432), target.hostname);
    h = await oracleHarness('pg_outage', { INGEST_MAX_DELIVER: '2' }, { databaseHostPort: `127.0.0.1:${proxy.port}` });
  });

  afterAll(async () => {
    await proxy?.restore();
    await h?.dispose();
    await proxy?.close();
  });

  it('holds the batch while the database is unreachable, without burning its deliveries, and stores it once it is back', async () => {
    await proxy.cut();
    const event = {
      event_id: 'outage-1',
      kind: 'implicit',
      agent_id: 'omega',
      session_id: 's',
      received_at: '2026-11-25T10:00:00.000Z',
    };
    await h.nats.js.publish(
      h.nats.topology.subjects.feedback('implicit', 'omega'),
      JSON.stringify({ v: 1, type: 'feedback', events: [event] }),
    );
    const { stream, config } = h.nats.topology.consumers.ingest;
    // Delivered and held, not nak'ed: with 2 deliveries allowed a nak loop would dead-letter it within a second.
    await eventually(async () =>
      expect((await h.nats.jsm.consumers.info(stream, config.durable_name!)).num_ack_pending).toBe(1),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    await proxy.restore();
    await h.ingestIdle(20_000);
    expect(await h.query(`SELECT event_id FROM feedback_events`)).toEqual([{ event_id: 'outage-1' }]);
    const info = await h.nats.jsm.consumers.info(stream, config.durable_name!);
    expect(info.num_redelivered).toBe(0);
    expect(await metricValue(h.apps, 'metaloop_ingest_dead_letters_total')).toBe(0);
  });
});
