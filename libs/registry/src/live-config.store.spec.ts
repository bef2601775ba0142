import type { Prisma } from '@metaloop/db';
import { baselineConfig, registryHarness, type RegistryHarness } from './__tests__/registry-harness';
import { AgentsService } from './agents.service';
import { LiveConfigStore } from './live-config.store';
import { resolveConfig } from './live-state';
import { AgentNotFoundError } from './registry.errors';
import { RevisionsService } from './revisions.service';

describe('LiveConfigStore (real Postgres and NATS)', () => {
  let h: RegistryHarness;
  let store: LiveConfigStore;
  let stableId: string;
  let candidateId: string;
  let rolloutId: string;
  const candidateConfig = { ...baselineConfig(), model: 'gpt-4o' };

  beforeAll(async () => {
    h = await registryHarness('registry_live');
    store = h.get(LiveConfigStore);
    ({ revision_id: stableId } = await h
      .get(AgentsService)
      .createAgent({ agent_id: 'agent', environment: 'prod', config: baselineConfig() }, 'ops'));
    ({ revision_id: candidateId } = await h
      .get(RevisionsService)
      .createRevision('agent', stableId, candidateConfig, 'MODEL_SWAP', null, 'orchestrator'));
  });

  afterAll(() => h?.dispose());

  const startRollout = (tx: Prisma.TransactionClient, weightBp: number) =>
    tx.rollout
      .create({
        data: {
          agentId: 'agent',
          mutationType: 'MODEL_SWAP',
          stableRevisionId: stableId,
          candidateRevisionId: candidateId,
          status: 'running',
          weightBp,
          steps: [5, 25, 50, 100],
          rollbackKey: `rb-${Date.now()}`,
        },
      })
      .then(async (rollout) => {
        await tx.agent.update({ where: { id: 'agent' }, data: { activeRolloutId: rollout.id } });
        return rollout.id;
      });

  // A weight step as libs/control's RolloutLifecycle makes it: the rollout row written inside the change.
  const setWeight = (weightBp: number) =>
    store
      .changeLiveConfig('agent', 'rollout_weight', (tx) =>
        tx.rollout.update({ where: { id: rolloutId }, data: { weightBp } }),
      )
      .then(({ message }) => message);

  it('loads an agent that runs no rollout as its stable revision, version 1', async () => {
    expect(await store.loadLiveState('agent')).toEqual({
      agentId: 'agent',
      version: 1,
      updatedAt: expect.any(Date),
      stable: { revisionId: stableId, config: { ...baselineConfig(), lora: [], memory: [], examples: [] } },
      rollout: null,
    });
    expect(await store.loadLiveState('nobody')).toBeNull();
  });

  it('changes the live config in one transaction with a version bump, then announces the new version', async () => {
    const { result, message } = await store.changeLiveConfig('agent', 'rollout_started', (tx) => startRollout(tx, 500));
    rolloutId = result;
    expect(message).toEqual({
      agent_id: 'agent',
      version: 2,
      reason: 'rollout_started',
      changed_at: expect.any(String),
    });
    const state = await store.loadLiveState('agent');
    expect(state).toMatchObject({
      version: 2,
      rollout: { rolloutId, status: 'running', weightBp: 500, candidate: { revisionId: candidateId } },
    });
    expect(state!.rollout!.candidate.config.model).toBe('gpt-4o');
    await h.settled();
    expect(h.messages.at(-1)).toEqual(message);
  });

  it('changes a rollout weight and announces it; sessions on the canary stay there as it rises', async () => {
    const sessions = Array.from({ length: 2_000 }, (_, i) => `s${i}`);
    const before = await store.loadLiveState('agent');
    const canaryBefore = sessions.filter((s) => resolveConfig(before!, s).arm === 'canary');

    const message = await setWeight(2_500);
    expect(message).toMatchObject({ agent_id: 'agent', version: 3, reason: 'rollout_weight' });
    const after = await store.loadLiveState('agent');
    expect(after!.rollout!.weightBp).toBe(2_500);
    expect(canaryBefore.every((s) => resolveConfig(after!, s).arm === 'canary')).toBe(true);
    expect(resolveConfig(after!, canaryBefore[0]!)).toEqual({
      arm: 'canary',
      revision: after!.rollout!.candidate,
      rolloutId,
    });
    await h.settled();
    expect(h.messages.map((m) => m.version)).toEqual([1, 2, 3]);
  });

  it('gives concurrent changes of one agent distinct versions in commit order', async () => {
    const messages = await Promise.all([600, 700, 800, 900, 1_000].map((weight) => setWeight(weight)));
    expect(messages.map((m) => m.version).sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    const last = messages.find((m) => m.version === 8)!;
    const weightOfLast = [600, 700, 800, 900, 1_000][messages.indexOf(last)];
    expect((await store.loadLiveState('agent'))!.rollout!.weightBp).toBe(weightOfLast);
    expect((await store.loadVersions()).get('agent')).toBe(8);
  });

  it('keeps a paused rollout live (sessions keep their arm) and drops a finished one', async () => {
    await store.changeLiveConfig('agent', 'rollout_paused', (tx) =>
      tx.rollout.update({ where: { id: rolloutId }, data: { status: 'paused' } }),
    );
    expect((await store.loadLiveState('agent'))!.rollout).toMatchObject({ status: 'paused' });
    await store.changeLiveConfig('agent', 'promoted', async (tx) => {
      await tx.rollout.update({ where: { id: rolloutId }, data: { status: 'promoted' } });
      await tx.agent.update({ where: { id: 'agent' }, data: { stableRevisionId: candidateId, activeRolloutId: null } });
    });
    expect(await store.loadLiveState('agent')).toMatchObject({
      version: 10,
      stable: { revisionId: candidateId },
      rollout: null,
    });
    expect((await store.loadLiveStates()).map((s) => s.agentId)).toEqual(['agent']);
  });

  it('refuses an unknown agent', async () => {
    await expect(store.changeLiveConfig('nobody', 'x', async () => undefined)).rejects.toBeInstanceOf(
      AgentNotFoundError,
    );
  });
});
