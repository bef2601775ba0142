import type { RollbackResult, RolloutView } from '@metaloop/contracts';
import { eventually, startFakeVllm, type FakeVllm } from '@metaloop/testing';
import { APPS, startMesh, type Mesh } from './mesh';
import {
  canarySession,
  fastPolicyFile,
  getJson,
  post,
  promptMutation,
  queuePlan,
  registerAgent,
  waitForRollout,
} from './rollout-driver';

/**
 * Seed 004's emergency rollback with the orchestrator down: oracle-api flips routing itself, so
 * feedback-api serves the stable config at once (the call answers once routing is flipped); the
 * orchestrator, once back, reverts the adapter's side effect (a LoRA adapter loaded on a
 * vLLM-compatible server).
 */
describe('emergency rollback while the orchestrator is stopped', () => {
  let mesh: Mesh;
  let vllm: FakeVllm;

  beforeAll(async () => {
    vllm = await startFakeVllm('llama-3-8b');
    mesh = await startMesh('e2e_emergency', {
      POLICIES_PATH: fastPolicyFile({
        canary: { steps: [50, 100], analysis_interval_seconds: 1, min_samples_per_arm: 1000 },
      }),
      LORA_SERVER_URL: vllm.url,
    });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
  }, 90_000);
  afterAll(async () => {
    await mesh?.stop();
    await vllm?.close();
  });

  it('serves stable right after the call, and reverts the adapter when the orchestrator is back', async () => {
    const stable = await registerAgent(mesh, 'sos_agent', [
      { type: 'lora', adapter_id: 'tone', base_model: 'llama-3-8b', source: '/adapters/tone' },
    ]);
    await queuePlan(mesh, [
      { ...promptMutation('sos_agent'), type: 'LORA_APPLY', params: { action: 'attach', adapter_id: 'tone' } },
    ]);
    const running = await waitForRollout(mesh, 'sos_agent', (r) => r.status === 'running', 20_000);
    expect(vllm.loaded.has('tone')).toBe(true);
    const session = await canarySession(mesh, 'sos_agent');
    const config = () =>
      getJson<{ revision_id: string }>(
        `${mesh.apps['feedback-api'].url}/api/v1/agents/sos_agent/config?session_id=${session}`,
      );

    await mesh.apps.orchestrator.stop('SIGKILL');
    const calledAt = performance.now();
    const result = (await post(`${mesh.apps['oracle-api'].url}/api/v1/oracle/rollback`, {
      rollback_key: running.rollback_key,
      emergency: true,
    })) as RollbackResult;
    await eventually(async () => expect((await config()).revision_id).toBe(stable), 10_000, 5);
    // The figure is measured by `npm run bench:rollback` (no timed assertion in a test); this run's:
    console.log(
      `emergency rollback, orchestrator down: stable served at feedback-api ${(performance.now() - calledAt).toFixed(0)} ms after the call`,
    );
    expect(result.rolled_back).toEqual([
      expect.objectContaining({ rollout_id: running.rollout_id, status: 'rolled_back', revert_status: 'pending' }),
    ]);
    expect(vllm.loaded.has('tone')).toBe(true);

    const restarted = await mesh.spawn('orchestrator', { LORA_SERVER_URL: vllm.url });
    await restarted.waitForReady(60_000);
    const reverted = await eventually(
      async () => {
        const view = await getJson<RolloutView>(
          `${mesh.apps['oracle-api'].url}/api/v1/oracle/rollouts/${running.rollout_id}`,
        );
        if (view.revert_status !== 'done') throw new Error(`revert ${view.revert_status}`);
        return view;
      },
      30_000,
      100,
    );
    expect(reverted).toMatchObject({ revert_status: 'done', revert_attempts: 1 });
    expect(vllm.loaded.has('tone')).toBe(false);
  }, 120_000);
});
