import { APPS, startMesh, type Mesh } from './mesh';
import {
  drive,
  fastPolicyFile,
  promptMutation,
  quality,
  queuePlan,
  registerAgent,
  rolloutDetail,
  waitForRollout,
} from './rollout-driver';

/** Rollout state lives in Postgres: an orchestrator killed mid-rollout resumes it, from its step, once restarted. */
describe('the orchestrator killed -9 in the middle of a rollout', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh('e2e_orch_crash', {
      POLICIES_PATH: fastPolicyFile({
        canary: { steps: [10, 50, 100], analysis_interval_seconds: 1, min_samples_per_arm: 150 },
      }),
    });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
  }, 90_000);
  afterAll(() => mesh?.stop());

  it('continues the rollout from the step it was at, and finishes it', async () => {
    await registerAgent(mesh, 'crash_agent');
    await queuePlan(mesh, [promptMutation('crash_agent')]);
    const running = await waitForRollout(mesh, 'crash_agent', (r) => r.status === 'running', 20_000);
    const driver = drive(
      mesh,
      'crash_agent',
      quality({ [running.candidate_revision_id]: { success: 0.97, helpful: 0.9 } }),
    );
    try {
      await waitForRollout(mesh, 'crash_agent', (r) => r.step_index === 1, 60_000);
      expect(await mesh.apps.orchestrator.stop('SIGKILL')).toBeNull();
      const killedAt = new Date().toISOString();
      // Nothing moves while it is away: the canary keeps its weight, sessions keep their arm.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await waitForRollout(mesh, 'crash_agent', () => true)).toMatchObject({
        status: 'running',
        step_index: 1,
        weight: 50,
      });

      const restarted = await mesh.spawn('orchestrator');
      await restarted.waitForReady(60_000);
      const promoted = await waitForRollout(mesh, 'crash_agent', (r) => r.status === 'promoted', 60_000);
      expect(promoted).toMatchObject({ rollout_id: running.rollout_id, weight: 100 });

      const { decisions } = await rolloutDetail(mesh, running.rollout_id);
      const after = decisions.filter((d) => d.at > killedAt);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((d) => d.step_index === 1)).toBe(true);
      expect(decisions.filter((d) => d.action === 'start')).toHaveLength(1);
      expect(decisions.filter((d) => d.action === 'advance')).toHaveLength(1);
      expect(after.at(-1)).toMatchObject({ action: 'promote', actor: 'system:orchestrator' });
    } finally {
      await driver.stop();
    }
  }, 120_000);
});
