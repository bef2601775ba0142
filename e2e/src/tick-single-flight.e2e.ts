import {
  freePort,
  scratchSchema,
  spawnApp,
  testEnv,
  withClient,
  type AppProcess,
  type ScratchSchema,
} from '@metaloop/testing';

interface TickAnswer {
  tick_id: string | null;
  status: 'succeeded' | 'failed' | 'skipped';
  summary: string;
}

/**
 * Three oracle-api processes over one database and Redis, asked to tick at the same moment,
 * again and again: one tick runs, the others answer `skipped` naming it, and no two ticks ever
 * overlap in time (the ticks table is the witness).
 */
describe('tick single flight across three oracle-api processes', () => {
  let schema: ScratchSchema;
  let replicas: AppProcess[];

  beforeAll(async () => {
    schema = await scratchSchema('tick_flight');
    const env = {
      DATABASE_URL: schema.url,
      NATS_URL: testEnv.TEST_NATS_URL,
      NATS_PREFIX: schema.schema,
      REDIS_URL: testEnv.TEST_REDIS_URL,
      REDIS_PREFIX: schema.schema,
      TICK_INTERVAL_MINUTES: '0',
    };
    replicas = [];
    for (let i = 0; i < 3; i++) replicas.push(spawnApp('oracle-api', env, await freePort()));
    await Promise.all(replicas.map((r) => r.waitForReady(60_000)));
    // Rollups for 400 agents over the last two hours, so each tick's analysis takes a while.
    await withClient((client) =>
      client.query(`
        INSERT INTO "${schema.schema}".feedback_rollups (agent_id, revision_id, bucket, count, success_n, success_sum, latency_hist)
        SELECT 'agent-' || a, 'r1', date_trunc('minute', now()) - make_interval(mins => m), 20, 20, 18, array_fill(0, ARRAY[32])
          FROM generate_series(1, 400) a, generate_series(1, 120) m`),
    );
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await schema?.drop();
  });

  it('runs exactly one tick per round and never two at once', async () => {
    const rounds: TickAnswer[][] = [];
    for (let round = 0; round < 5; round++) {
      rounds.push(
        await Promise.all(
          replicas.map(
            async (r) => (await (await fetch(`${r.url}/api/v1/oracle/tick`, { method: 'POST' })).json()) as TickAnswer,
          ),
        ),
      );
    }
    for (const answers of rounds) {
      const ran = answers.filter((a) => a.status !== 'skipped');
      expect(ran).toHaveLength(1);
      expect(ran[0]!.status).toBe('succeeded');
      for (const skipped of answers.filter((a) => a.status === 'skipped'))
        expect(skipped.summary).toContain(ran[0]!.tick_id);
    }
    const ticks = await withClient(
      async (client) =>
        (await client.query(`SELECT started_at, finished_at FROM "${schema.schema}".ticks ORDER BY started_at`))
          .rows as Array<{ started_at: Date; finished_at: Date }>,
    );
    expect(ticks).toHaveLength(5);
    ticks
      .slice(1)
      .forEach((t, i) => expect(t.started_at.getTime()).toBeGreaterThanOrEqual(ticks[i]!.finished_at.getTime()));
  });
});
