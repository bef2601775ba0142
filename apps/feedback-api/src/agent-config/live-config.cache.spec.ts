import { eventually, withClient } from '@metaloop/testing';
import { baselineConfig, configHarness, type ConfigHarness } from '../__tests__/config-harness';

describe('the agent config cache heals lost config.changed messages by its resync', () => {
  let h: ConfigHarness;
  /** `text` with its tables (`{rollouts}`) in the suite's schema. */
  const sql = (text: string, params: unknown[] = []) =>
    withClient((client) => client.query(text.replace(/\{(\w+)\}/g, (_m, table: string) => `"${h.schema.schema}".${table}`), params));

  beforeAll(async () => {
    h = await configHarness('config_resync', { CONFIG_RESYNC_MS: '200' }, 1);
  });

  afterAll(() => h?.dispose());

  const config = (agentId: string, sessionId = 's1') => h.getConfig(h.replicas[0]!, agentId, sessionId);

  it('serves a weight change whose message was lost within a resync interval', async () => {
    await h.createAgent('agent');
    const { rolloutId, candidateRevisionId } = await h.startRollout('agent', { ...baselineConfig, model: 'gpt-4o' }, 0);
    await eventually(async () => expect((await config('agent')).json()).toMatchObject({ rollout_id: rolloutId, arm: 'stable' }));

    // What setRolloutWeight commits, without the message it would send.
    await sql(`UPDATE {rollouts} SET weight_bp = 10000 WHERE id = $1`, [rolloutId]);
    await sql(`UPDATE {agents} SET config_version = config_version + 1, updated_at = now() WHERE id = 'agent'`);
    await eventually(async () => expect((await config('agent')).json()).toMatchObject({ arm: 'canary', revision_id: candidateRevisionId }), 5_000, 50);
    const metrics = (await h.replicas[0]!.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/metaloop_config_propagation_seconds_count\{[^}]*via="resync"[^}]*\} [1-9]/);
  });

  it('learns of an agent whose creation it did not hear of, and forgets one that is gone', async () => {
    const [{ stable_revision_id: revisionId }] = (await sql(`SELECT stable_revision_id FROM {agents} WHERE id = 'agent'`)).rows as Array<{ stable_revision_id: string }>;
    await sql(`INSERT INTO {agents} (id, name, environment, stable_revision_id, updated_at) VALUES ('unannounced', 'u', 'dev', $1, now())`, [revisionId]);
    await eventually(async () => expect((await config('unannounced')).statusCode).toBe(200), 5_000, 50);
    await sql(`DELETE FROM {agents} WHERE id = 'unannounced'`);
    await eventually(async () => expect((await config('unannounced')).statusCode).toBe(404), 5_000, 50);
  });
});
