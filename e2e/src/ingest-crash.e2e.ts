import { connectJetStream } from '@metaloop/messaging';
import { natsTopology } from '@metaloop/contracts';
import {
  eventually,
  freePort,
  scratchSchema,
  spawnApp,
  startNatsServer,
  testEnv,
  withClient,
  type AppProcess,
  type ScratchSchema,
  type TestNatsServer,
} from '@metaloop/testing';

/**
 * Crash tests of ingestion: whatever was answered 202 ends up in Postgres exactly once, with
 * rollups that count it once, when oracle-api is killed -9 or NATS restarts mid-load.
 */
describe('ingestion under crashes', () => {
  let schema: ScratchSchema;
  const running: AppProcess[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.stop('SIGKILL')));
    await schema?.drop();
  });

  function envFor(natsUrl: string): Record<string, string> {
    return {
      DATABASE_URL: schema.url,
      NATS_URL: natsUrl,
      NATS_PREFIX: schema.schema,
      REDIS_URL: testEnv.TEST_REDIS_URL,
      REDIS_PREFIX: schema.schema,
      PUBLISH_TIMEOUT_MS: '1000',
      INGEST_ACK_WAIT_MS: '3000',
    };
  }

  async function start(name: string, env: Record<string, string>): Promise<AppProcess> {
    const app = spawnApp(name, env, await freePort());
    running.push(app);
    await app.waitForReady(60_000);
    return app;
  }

  /** Posts events with client ids from `workers` loops until stopped; records what got 202. */
  function loader(feedbackUrl: () => string, workers = 16) {
    const accepted = new Set<string>();
    const attempted = new Set<string>();
    let next = 0;
    let stopped = false;
    const loops = Array.from({ length: workers }, async () => {
      while (!stopped) {
        const eventId = `crash-${next++}`;
        attempted.add(eventId);
        const body = JSON.stringify({
          event_id: eventId,
          agent_id: 'crash_agent',
          session_id: `s${next % 50}`,
          implicit: { success: true, response_time_ms: 20 },
        });
        const status = await fetch(`${feedbackUrl()}/api/v1/feedback/collect`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        }).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 202) accepted.add(eventId);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    return {
      accepted,
      attempted,
      stop: async () => {
        stopped = true;
        await Promise.all(loops);
      },
    };
  }

  async function stored(): Promise<{ ids: Set<string>; rows: number; rollupCount: number }> {
    return withClient(async (client) => {
      const events = await client.query<{ event_id: string }>(
        `SELECT event_id FROM "${schema.schema}".feedback_events`,
      );
      const rollups = await client.query<{ n: string }>(
        `SELECT coalesce(sum(count), 0) AS n FROM "${schema.schema}".feedback_rollups`,
      );
      return {
        ids: new Set(events.rows.map((r) => r.event_id)),
        rows: events.rows.length,
        rollupCount: Number(rollups.rows[0]!.n),
      };
    });
  }

  const everyAcceptedStored = (accepted: ReadonlySet<string>) =>
    eventually(
      async () => {
        const { ids } = await stored();
        for (const id of accepted) if (!ids.has(id)) throw new Error(`${id} was answered 202 but is not stored (yet)`);
      },
      60_000,
      250,
    );

  it('keeps every 202 exactly once when oracle-api is killed -9 and restarted', async () => {
    schema = await scratchSchema('crash_oracle');
    const env = envFor(testEnv.TEST_NATS_URL);
    const feedback = await start('feedback-api', env);
    const oracle = await start('oracle-api', env);
    const load = loader(() => feedback.url);
    await eventually(() => expect(load.accepted.size).toBeGreaterThan(300), 20_000);
    await oracle.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await start('oracle-api', env);
    const afterRestart = load.accepted.size;
    await eventually(() => expect(load.accepted.size).toBeGreaterThan(afterRestart + 300), 20_000);
    await load.stop();

    await everyAcceptedStored(load.accepted);
    const result = await stored();
    // A request whose answer was lost (a socket reset under load) may be stored without its 202.
    for (const id of result.ids) expect(load.attempted.has(id)).toBe(true);
    expect(result.ids.size).toBe(result.rows);
    expect(result.rollupCount).toBe(result.rows);
    await cleanupStreams(testEnv.TEST_NATS_URL);
  });

  it('keeps every 202 exactly once across a NATS kill -9 and restart', async () => {
    schema = await scratchSchema('crash_nats');
    const nats: TestNatsServer = await startNatsServer();
    try {
      const env = envFor(nats.url);
      const feedback = await start('feedback-api', env);
      await start('oracle-api', env);
      const load = loader(() => feedback.url);
      await eventually(() => expect(load.accepted.size).toBeGreaterThan(300), 20_000);
      await nats.kill();
      const duringOutage = load.accepted.size;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await nats.start();
      await eventually(() => expect(load.accepted.size).toBeGreaterThan(duringOutage + 300), 30_000);
      await load.stop();

      await everyAcceptedStored(load.accepted);
      const result = await stored();
      for (const id of result.ids) expect(load.attempted.has(id)).toBe(true);
      expect(result.ids.size).toBe(result.rows);
      expect(result.rollupCount).toBe(result.rows);
    } finally {
      await Promise.all(running.splice(0).map((app) => app.stop('SIGKILL')));
      await nats.dispose();
    }
  });

  async function cleanupStreams(natsUrl: string): Promise<void> {
    const ctx = await connectJetStream({ servers: natsUrl, name: 'crash-cleanup', prefix: schema.schema });
    for (const stream of Object.values(natsTopology({ prefix: schema.schema }).streams)) {
      await ctx.jsm.streams.delete(stream.name).catch(() => undefined);
    }
    await ctx.nc.close();
  }
});
