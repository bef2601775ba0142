import { QUEUES } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChaosCluster, type ChaosCluster } from './chaos/cluster';
import { ingestBacklog, rollupMismatches, scheduledTickSince, stored, storedCount } from './chaos/ledger';
import { startLoader, type Loader } from './chaos/loader';
import { phaseFigures, printFigures } from './chaos/figures';
import { chaosSettings } from './chaos/settings';
import { fastPolicyFile, promptMutation, queuePlan, registerAgent, sql, waitForRollout } from './rollout-driver';

/** The shortest schedule periods oracle-api takes: "back within one interval" means within a minute. */
const SCHEDULE_INTERVAL_MS = 60_000;
/** An agent with a rollout that runs through all of it: it gets no feedback, so it holds at its first step. */
const ROLLOUT_AGENT = 'chaos_rollout';
/** How long a killed app stays down before it is started again. */
const APP_DOWN_MS = 500;
/** A scheduled tick's job may wait for a tick that holds the single-flight lock, and the tick itself takes a while. */
const TICK_SLACK_MS = 30_000;

/**
 * The project's own chaos suite (issue 14): under steady load with client event ids, kill -9
 * feedback-api, oracle-api and the orchestrator in turn, then NATS (restarted on its store
 * directory) and Redis (restarted empty); afterwards every event answered 202 is stored exactly
 * once, no event is stored twice, the rollups count exactly the raw rows, and oracle-api's job
 * schedulers are back in the empty Redis within one interval. `npm test` runs one short round,
 * `npm run chaos` more and longer ones (CHAOS_ROUNDS, CHAOS_PHASE_EVENTS, CHAOS_WORKERS).
 */
describe('chaos: kill -9 every app, NATS and Redis in turn under load', () => {
  let cluster: ChaosCluster | undefined;
  let load: Loader | undefined;

  afterAll(async () => {
    await load?.stop().catch(() => undefined);
    await cluster?.stop();
  });

  it(
    'keeps every 202 exactly once, rollups equal to rows, and the schedules back',
    async () => {
      const started = Date.now();
      cluster = await startChaosCluster({
        PUBLISH_TIMEOUT_MS: '1000',
        INGEST_ACK_WAIT_MS: '3000',
        TICK_INTERVAL_MINUTES: '1',
        RETENTION_PURGE_EVERY_MINUTES: '1',
        RECONCILE_INTERVAL_MS: '1000',
        POLICIES_PATH: fastPolicyFile({
          canary: {
            steps: [10, 50, 100],
            analysis_interval_seconds: 1,
            min_samples_per_arm: 1_000_000,
            max_step_duration_minutes: 24 * 60,
          },
        }),
      });
      const mesh = cluster;
      await mesh.ready();
      await registerAgent(mesh, ROLLOUT_AGENT);
      await queuePlan(mesh, [promptMutation(ROLLOUT_AGENT)]);
      const rollout = await waitForRollout(mesh, ROLLOUT_AGENT, (r) => r.status === 'running', 30_000);
      // The orchestrator's monitor schedule of the rollout: the reconciler re-creates it in an empty Redis.
      mesh.expectSchedule(QUEUES.rollouts, `monitor-${rollout.rollout_id}`);
      await eventually(async () => expect(await mesh.missingSchedules()).toEqual([]), SCHEDULE_INTERVAL_MS);
      const lookedAt = async (since: Date) =>
        (
          await sql(mesh, `SELECT 1 FROM rollout_decisions WHERE rollout_id = $1 AND created_at > $2 LIMIT 1`, [
            rollout.rollout_id,
            since,
          ])
        ).length > 0;

      const setupSeconds = (Date.now() - started) / 1000;
      const loader = (load = startLoader(() => mesh.app('feedback-api').url, chaosSettings.workers, 'steady'));
      /** The mesh took load again: feedback-api answers 202s and oracle-api stores what was accepted. */
      const recovered = async () => {
        const acceptedBefore = loader.accepted();
        await eventually(
          () => expect(loader.accepted()).toBeGreaterThanOrEqual(acceptedBefore + chaosSettings.phaseEvents),
          60_000,
          100,
        );
        await eventually(async () => expect(await storedCount(mesh)).toBeGreaterThanOrEqual(acceptedBefore), 60_000);
      };
      await recovered();

      const scheduleRecoveryMs: number[] = [];
      const scheduledTickMs: number[] = [];
      const acceptedWhileRedisDown: number[] = [];
      for (let round = 1; round <= chaosSettings.rounds; round++) {
        for (const name of ['feedback-api', 'oracle-api', 'orchestrator'] as const) {
          loader.enter(`${round}: kill -9 ${name}`);
          await mesh.restart(name, APP_DOWN_MS);
          await recovered();
        }

        loader.enter(`${round}: kill -9 NATS`);
        await mesh.nats.kill();
        await sleep(chaosSettings.serverDownMs);
        await mesh.nats.start();
        await mesh.ready();
        await recovered();

        loader.enter(`${round}: Redis restarted empty`);
        await mesh.redis.kill();
        const acceptedAtKill = loader.accepted();
        await sleep(chaosSettings.serverDownMs);
        // Redis only remembers ids for duplicate answers: feedback is taken while it is away.
        acceptedWhileRedisDown.push(loader.accepted() - acceptedAtKill);
        await mesh.redis.start();
        const redisBack = new Date();
        // A tick that the re-created scheduler queued and a worker on the new Redis ran: within one period.
        const tickRan = eventually(
          async () => expect(await scheduledTickSince(mesh, redisBack)).toBe(true),
          SCHEDULE_INTERVAL_MS + TICK_SLACK_MS,
          250,
        ).then(
          () => Date.now() - redisBack.getTime(),
          (error: Error) => error,
        );
        await eventually(async () => expect(await mesh.missingSchedules()).toEqual([]), SCHEDULE_INTERVAL_MS, 100);
        scheduleRecoveryMs.push(Date.now() - redisBack.getTime());
        await mesh.ready();
        await recovered();
        // …and the orchestrator looks at the rollout again (a decision row per look).
        await eventually(async () => expect(await lookedAt(redisBack)).toBe(true), SCHEDULE_INTERVAL_MS);
        const ranAfter = await tickRan;
        if (ranAfter instanceof Error) throw ranAfter;
        scheduledTickMs.push(ranAfter);
      }
      loader.enter('after');
      await sleep(500);
      await loader.stop();

      const drainStarted = Date.now();
      // Drained: the ingest consumer has nothing left, and everything answered 202 is in Postgres.
      await eventually(
        async () => {
          expect((await ingestBacklog(mesh)).pending).toBe(0);
          const { rows } = await stored(mesh);
          const missing = [...loader.events].filter(([id, e]) => e.accepted && !rows.has(id)).length;
          expect(missing).toBe(0);
        },
        60_000,
        250,
      );
      const drainSeconds = (Date.now() - drainStarted) / 1000;
      const result = await stored(mesh);
      const { deadLetters } = await ingestBacklog(mesh);
      const figures = phaseFigures(loader, result);
      printFigures(figures, {
        rounds: chaosSettings.rounds,
        seconds: (Date.now() - started) / 1000,
        setupSeconds,
        drainSeconds,
        deadLetters,
        scheduleRecoveryMs,
        scheduledTickMs,
        acceptedWhileRedisDown,
      });

      const total = figures.at(-1)!;
      expect({ lost: total.lost, doubled: total.doubled, foreign: total.foreign }).toEqual({
        lost: 0,
        doubled: 0,
        foreign: 0,
      });
      expect(result.total).toBe(total.stored);
      expect(await rollupMismatches(mesh)).toEqual([]);
      expect(deadLetters).toBe(0);
      expect(scheduleRecoveryMs).toHaveLength(chaosSettings.rounds);
      for (const accepted of acceptedWhileRedisDown) expect(accepted).toBeGreaterThan(0);
      // The rollout went through every kill where it was: running, at its first step.
      expect(await waitForRollout(mesh, ROLLOUT_AGENT, () => true)).toMatchObject({
        rollout_id: rollout.rollout_id,
        status: 'running',
        step_index: 0,
      });
    },
    120_000 + chaosSettings.rounds * 120_000,
  );
});
