import { ConfigChangePublisher, LiveConfigStore, type AgentLiveState } from '@metaloop/registry';
import { eventually, withClient } from '@metaloop/testing';
import { baselineConfig, configHarness, type ConfigHarness } from '../__tests__/config-harness';

describe('the agent config cache heals lost config.changed messages by its resync', () => {
  let h: ConfigHarness;
  /** `text` with its tables (`{rollouts}`) in the suite's schema. */
  const sql = (text: string, params: unknown[] = []) =>
    withClient((client) =>
      client.query(
        text.replace(/\{(\w+)\}/g, (_m, table: string) => `"${h.schema.schema}".${table}`),
        params,
      ),
    );

  beforeAll(async () => {
    h = await configHarness('config_resync', { CONFIG_RESYNC_MS: '200' }, 1);
  });

  afterAll(() => h?.dispose());

  const config = (agentId: string, sessionId = 's1') => h.getConfig(h.replicas[0]!, agentId, sessionId);

  it('serves a weight change whose message was lost within a resync interval', async () => {
    await h.createAgent('agent');
    const { rolloutId, candidateRevisionId } = await h.startRollout('agent', { ...baselineConfig, model: 'gpt-4o' }, 0);
    await eventually(async () =>
      expect((await config('agent')).json()).toMatchObject({ rollout_id: rolloutId, arm: 'stable' }),
    );

    // What a weight step commits, without the message it would send.
    await sql(`UPDATE {rollouts} SET weight_bp = 10000 WHERE id = $1`, [rolloutId]);
    await sql(`UPDATE {agents} SET config_version = config_version + 1, updated_at = now() WHERE id = 'agent'`);
    await eventually(
      async () =>
        expect((await config('agent')).json()).toMatchObject({ arm: 'canary', revision_id: candidateRevisionId }),
      5_000,
      50,
    );
    const metrics = (await h.replicas[0]!.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/metaloop_config_propagation_seconds_count\{[^}]*via="resync"[^}]*\} [1-9]/);
  });

  it('never lets a late load or a late message undo a rollback it serves: versions only move forward', async () => {
    await h.createAgent('steady');
    const { rolloutId } = await h.startRollout('steady', { ...baselineConfig, model: 'gpt-4o' }, 0);
    await eventually(async () => expect((await config('steady')).json()).toMatchObject({ rollout_id: rolloutId }));
    const version = async () =>
      ((await sql(`SELECT config_version FROM {agents} WHERE id = 'steady'`)).rows[0] as { config_version: number })
        .config_version;

    // Version N, committed without its message: the resync reads it from Postgres, and that load is held back.
    const store = h.replicas[0]!.get(LiveConfigStore);
    const read = store.loadLiveStates.bind(store);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let lateLoad: Promise<AgentLiveState[]> | undefined;
    const spy = jest.spyOn(store, 'loadLiveStates').mockImplementationOnce((ids) => {
      lateLoad = read(ids).then(async (states) => {
        await released;
        return states;
      });
      return lateLoad;
    });
    await sql(`UPDATE {rollouts} SET weight_bp = 10000 WHERE id = $1`, [rolloutId]);
    await sql(`UPDATE {agents} SET config_version = config_version + 1, updated_at = now() WHERE id = 'steady'`);
    const n = await version();
    await eventually(() => expect(spy).toHaveBeenCalledTimes(1), 5_000, 20);

    // Version N+1, the rollback, arrives by its message and is served.
    await h.store.changeLiveConfig('steady', 'rollout_rolled_back', async (tx) => {
      await tx.rollout.update({ where: { id: rolloutId }, data: { status: 'rolled_back', weightBp: 0 } });
      await tx.agent.update({ where: { id: 'steady' }, data: { activeRolloutId: null } });
    });
    await eventually(async () =>
      expect((await config('steady')).json()).toMatchObject({ rollout_id: null, arm: 'stable' }),
    );

    // The load of version N lands now (looked at before the next resync could heal anything)…
    const servedNow = async () => {
      for (const session of ['s1', 's2', 's3'])
        expect((await config('steady', session)).json()).toMatchObject({ rollout_id: null, arm: 'stable' });
    };
    release();
    expect(await lateLoad).toEqual([
      expect.objectContaining({ version: n, rollout: expect.objectContaining({ rolloutId, weightBp: 10_000 }) }),
    ]);
    spy.mockRestore();
    await new Promise((resolve) => setImmediate(resolve));
    await servedNow();

    // …and a late config.changed of version N comes too.
    const stale = async () =>
      Number(
        /metaloop_config_changed_messages_total\{[^}]*outcome="stale"[^}]*\} (\d+)/.exec(
          (await h.replicas[0]!.inject({ method: 'GET', url: '/metrics' })).body,
        )?.[1] ?? 0,
      );
    const staleBefore = await stale();
    await h.replicas[0]!.get(ConfigChangePublisher).publish({
      agent_id: 'steady',
      version: n,
      reason: 'late',
      changed_at: new Date().toISOString(),
    });
    await eventually(async () => expect(await stale()).toBe(staleBefore + 1));
    await servedNow();
  });

  it('learns of an agent whose creation it did not hear of, and forgets one that is gone', async () => {
    const [{ stable_revision_id: revisionId }] = (
      await sql(`SELECT stable_revision_id FROM {agents} WHERE id = 'agent'`)
    ).rows as Array<{ stable_revision_id: string }>;
    await sql(
      `INSERT INTO {agents} (id, name, environment, stable_revision_id, updated_at) VALUES ('unannounced', 'u', 'dev', $1, now())`,
      [revisionId],
    );
    await eventually(async () => expect((await config('unannounced')).statusCode).toBe(200), 5_000, 50);
    await sql(`DELETE FROM {agents} WHERE id = 'unannounced'`);
    await eventually(async () => expect((await config('unannounced')).statusCode).toBe(404), 5_000, 50);
  });
});
