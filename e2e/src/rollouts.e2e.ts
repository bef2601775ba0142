import type { AuditPage } from '@metaloop/contracts';
import { startMesh, APPS, type Mesh } from './mesh';
import {
  drive,
  fastPolicyFile,
  getJson,
  promptMutation,
  quality,
  queuePlan,
  registerAgent,
  rolloutDetail,
  waitForRollout,
} from './rollout-driver';

/**
 * The loop's last stage on the real mesh: an agent with a good and one with a bad candidate,
 * driven by sessions that fetch their config from feedback-api and report what the served
 * revision truly did. The orchestrator promotes one and rolls the other back by itself.
 */
describe('canary rollouts on the mesh (three apps as processes)', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh('e2e_rollouts', { POLICIES_PATH: fastPolicyFile() });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
  }, 90_000);
  afterAll(() => mesh?.stop());

  const audit = (rolloutId: string) =>
    getJson<AuditPage>(`${mesh.apps['oracle-api'].url}/api/v1/oracle/audit?entity_id=${rolloutId}`);

  it('promotes a better candidate through every step, with its score and lift in the audit trail', async () => {
    const stable = await registerAgent(mesh, 'good_agent');
    await queuePlan(mesh, [promptMutation('good_agent')]);
    const running = await waitForRollout(mesh, 'good_agent', (r) => r.status === 'running', 20_000);
    const driver = drive(
      mesh,
      'good_agent',
      quality({ [running.candidate_revision_id]: { success: 0.97, helpful: 0.9 } }),
    );
    try {
      const promoted = await waitForRollout(mesh, 'good_agent', (r) => r.status === 'promoted', 60_000);
      expect(promoted).toMatchObject({
        weight: 100,
        stable_revision_id: stable,
        candidate_revision_id: running.candidate_revision_id,
      });
    } finally {
      await driver.stop();
    }
    const served = await getJson<{ revision_id: string; rollout_id: string | null }>(
      `${mesh.apps['feedback-api'].url}/api/v1/agents/good_agent/config?session_id=after`,
    );
    expect(served).toMatchObject({ revision_id: running.candidate_revision_id, rollout_id: null });

    const { decisions } = await rolloutDetail(mesh, running.rollout_id);
    expect(decisions.map((d) => d.action).filter((a) => a !== 'inconclusive')).toEqual(['start', 'advance', 'promote']);
    const entries = (await audit(running.rollout_id)).items;
    const promotion = entries.find((e) => e.action === 'rollout.promoted')!;
    expect(promotion.actor).toBe('system:orchestrator');
    expect(promotion.details).toMatchObject({
      score: { lift: expect.any(Number), min_lift: 0.05, components: expect.any(Array) },
      statistics: { tests: expect.any(Array) },
    });
    expect((promotion.details as { score: { lift: number } }).score.lift).toBeGreaterThanOrEqual(0.05);
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['rollout.created', 'rollout.started', 'rollout.advanced', 'rollout.promoted']),
    );
  }, 90_000);

  it('rolls a worse candidate back by itself, with the evidence in the audit trail', async () => {
    const stable = await registerAgent(mesh, 'bad_agent');
    await queuePlan(mesh, [promptMutation('bad_agent')]);
    const running = await waitForRollout(mesh, 'bad_agent', (r) => r.status === 'running', 20_000);
    const driver = drive(
      mesh,
      'bad_agent',
      quality({ [running.candidate_revision_id]: { success: 0.55, helpful: 0.3 } }),
      { seed: 11 },
    );
    try {
      const rolledBack = await waitForRollout(mesh, 'bad_agent', (r) => r.status === 'rolled_back', 60_000);
      expect(rolledBack.status_reason).toMatch(/^(canary error rate|canary significantly worse than stable)/);
    } finally {
      await driver.stop();
    }
    const served = await getJson<{ revision_id: string }>(
      `${mesh.apps['feedback-api'].url}/api/v1/agents/bad_agent/config?session_id=after`,
    );
    expect(served.revision_id).toBe(stable);
    const rollback = (await audit(running.rollout_id)).items.find((e) => e.action === 'rollout.rolled_back')!;
    expect(rollback).toMatchObject({
      actor: 'system:orchestrator',
      details: { trigger: 'auto', reason: expect.stringMatching(/^(hard_threshold|comparative)$/) },
    });
    expect(rollback.details).toMatchObject({
      statistics: {
        arms: { canary: { events: expect.any(Number) } },
        hard_thresholds: expect.any(Array),
        tests: expect.any(Array),
      },
    });
  }, 90_000);
});
