import { LiveConfigStore, RegistryInputError, RolloutNotFoundError } from '@metaloop/registry';
import { rollbackHarness, type RollbackHarness } from '../__tests__/rollback-harness';
import { PlanLifecycle } from './plan-lifecycle.service';
import { RolloutLifecycle } from './rollout-lifecycle.service';
import { IllegalTransitionError } from './transitions';

describe('PlanLifecycle and RolloutLifecycle (real Postgres, NATS and Redis)', () => {
  let h: RollbackHarness;
  let plans: PlanLifecycle;
  let rollouts: RolloutLifecycle;

  beforeAll(async () => {
    h = await rollbackHarness('lifecycle', 1);
    plans = h.replicas[0].get(PlanLifecycle);
    rollouts = h.replicas[0].get(RolloutLifecycle);
  });
  afterAll(() => h?.dispose());

  const draft = {
    source: 'api',
    findingIds: [],
    confidence: 0.9,
    risk: 3,
    expectedImpact: [],
    rationale: 'complaints about verbosity',
    evidence: {},
    mutations: [
      {
        ordinal: 0,
        agentId: 'a',
        type: 'PARAM_SET' as const,
        params: { temperature: 0.2 },
        confidence: 0.9,
        risk: 3,
        expectedImpact: [],
        rationale: 'r',
        rollbackSpec: {},
      },
    ],
  };

  it('creates a draft plan with pending mutations, then moves it only from the states named, auditing each move', async () => {
    const plan = await plans.create(draft, 'api_key:k', { include: { mutations: true } });
    expect(plan).toMatchObject({
      status: 'draft',
      createdBy: 'api_key:k',
      mutations: [{ status: 'pending', ordinal: 0 }],
    });

    expect(
      await plans.move(plan.id, ['awaiting_approval'], 'approved', {
        actor: 'api_key:k',
        action: 'plan.approved',
        decided: true,
      }),
    ).toBe(false);
    expect(await h.prisma.$transaction((tx) => plans.recordVerdict(tx, plan.id, 'draft', 'awaiting_approval'))).toBe(
      true,
    );
    // A verdict on the state the gates read is not written once the plan has left it.
    expect(await h.prisma.$transaction((tx) => plans.recordVerdict(tx, plan.id, 'draft', 'validated'))).toBe(false);
    expect(
      await plans.move(plan.id, ['awaiting_approval'], 'approved', {
        actor: 'api_key:k',
        action: 'plan.approved',
        reason: 'looks right',
        decided: true,
      }),
    ).toBe(true);
    expect(await h.prisma.plan.findUnique({ where: { id: plan.id } })).toMatchObject({
      status: 'approved',
      decidedBy: 'api_key:k',
      decisionReason: 'looks right',
    });
    const audit = await h.prisma.auditEntry.findMany({ where: { entityId: plan.id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['plan.created', 'plan.approved']);
    expect(audit[0]).toMatchObject({ reason: draft.rationale, details: { source: 'api', mutations: 1, risk: 3 } });
  });

  it('refuses a move its lifecycle does not have before writing anything', async () => {
    const plan = await plans.create(draft, 'api_key:k', { include: {} });
    await expect(
      plans.move(plan.id, ['draft'], 'approved', { actor: 'api_key:k', action: 'plan.approved' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(
      h.prisma.$transaction((tx) => plans.recordVerdict(tx, plan.id, 'draft', 'queued')),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await h.prisma.plan.findUnique({ where: { id: plan.id } })).toMatchObject({ status: 'draft' });
  });

  it('records a look only while the rollout is as the look read it', async () => {
    const { rolloutId } = await h.seedRollout('looked');
    const read = await h.prisma.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
    expect(await rollouts.recordLook(read, 'hold', 'too few samples', { samples: 3 }, 'system:test')).toBe(true);
    expect(await rollouts.recordLook({ ...read, stepIndex: 0 }, 'hold', 'too few samples', {}, 'system:test')).toBe(
      false,
    );
    expect(await rollouts.recordLook({ ...read, status: 'paused' }, 'hold', 'too few samples', {}, 'system:test')).toBe(
      false,
    );
    expect(await h.prisma.rolloutDecision.findMany({ where: { rolloutId } })).toEqual([
      expect.objectContaining({
        action: 'hold',
        stepIndex: 1,
        weightBp: 2500,
        reason: 'too few samples',
        statistics: { samples: 3 },
        actor: 'system:test',
      }),
    ]);
  });

  it('sets a rollout weight in one live-config change and announces it', async () => {
    const { rolloutId } = await h.seedRollout('weighted');
    const live = h.replicas[0].get(LiveConfigStore);
    const before = await live.loadLiveState('weighted');
    const message = await rollouts.setWeight(rolloutId, 5_000);
    expect(message).toMatchObject({ agent_id: 'weighted', version: before!.version + 1, reason: 'rollout_weight' });
    expect((await live.loadLiveState('weighted'))!.rollout).toMatchObject({ rolloutId, weightBp: 5_000 });
    await h.settled();
    expect(h.messages.filter((m) => m.agent_id === 'weighted').at(-1)).toEqual(message);
  });

  it('refuses an unknown rollout and a weight outside 0–10,000 basis points', async () => {
    const { rolloutId } = await h.seedRollout('refused');
    await expect(rollouts.setWeight('0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', 100)).rejects.toBeInstanceOf(
      RolloutNotFoundError,
    );
    await expect(rollouts.setWeight('not-a-uuid', 100)).rejects.toBeInstanceOf(RolloutNotFoundError);
    for (const weight of [-1, 10_001, 2.5])
      await expect(rollouts.setWeight(rolloutId, weight)).rejects.toBeInstanceOf(RegistryInputError);
  });
});
