import { MutationBudget } from './mutation-budget.service';
import type { BudgetLimits } from './budget-limits';
import { controlHarness, seedAgent, startRollout, type ControlHarness } from '../__tests__/control-harness';

const limits: BudgetLimits = {
  perHour: 10,
  perHourByEnvironment: { prod: 5 },
  perDayByType: { MODEL_SWAP: 2 },
  maxConcurrentRollouts: 3,
  cooldownMinutes: 30,
};
const generous: BudgetLimits = { ...limits, maxConcurrentRollouts: 100 };

describe('MutationBudget (real Postgres, two replicas)', () => {
  let h: ControlHarness;
  let budgets: MutationBudget[];

  beforeAll(async () => {
    h = await controlHarness('mutation_budget', 2);
    budgets = h.replicas.map((r) => r.get(MutationBudget));
  });
  afterAll(() => h?.dispose());
  beforeEach(async () => {
    await h.prisma.$executeRawUnsafe('UPDATE agents SET active_rollout_id = NULL');
    await h.prisma.$executeRawUnsafe('DELETE FROM rollouts');
    await h.prisma.$executeRawUnsafe('DELETE FROM revisions');
    await h.prisma.$executeRawUnsafe('DELETE FROM agents');
  });

  const reserveOn = (i: number, agentId: string, type: 'PROMPT_PATCH' | 'MODEL_SWAP' = 'PROMPT_PATCH', l = limits) =>
    budgets[i % budgets.length]!.reserve(l, { agentId, mutationType: type }, (tx) => startRollout(tx, agentId, type));

  it('lets exactly one of many concurrent reservations for one agent through', async () => {
    await seedAgent(h.prisma, 'solo');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => reserveOn(i, 'solo')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.refusal.code)).toEqual(Array(7).fill('agent_busy'));
  });

  it('never starts more than the concurrency limit across replicas', async () => {
    for (let i = 0; i < 8; i++) await seedAgent(h.prisma, `c${i}`);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => reserveOn(i, `c${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(new Set(results.filter((r) => !r.ok).map((r) => !r.ok && r.refusal.code))).toEqual(new Set(['concurrency']));
    expect((await budgets[1]!.usage()).activeRollouts).toBe(3);
  });

  it('never starts more than the hourly budget, globally and in prod', async () => {
    for (let i = 0; i < 14; i++) await seedAgent(h.prisma, `h${i}`, i < 7 ? 'prod' : 'dev');
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) => reserveOn(i, `h${i}`, 'PROMPT_PATCH', generous)),
    );
    const started = results.map((r, i) => ({ ok: r.ok, prod: i < 7 }));
    expect(started.filter((s) => s.ok)).toHaveLength(10);
    expect(started.filter((s) => s.ok && s.prod)).toHaveLength(5);
    const usage = await budgets[0]!.usage();
    expect(usage).toMatchObject({
      lastHour: 10,
      lastHourByEnvironment: { dev: 5, staging: 0, prod: 5 },
      lastDayByType: { PROMPT_PATCH: 10 },
    });
  });

  it('limits a mutation type per day and keeps the agent quiet during its cooldown', async () => {
    for (const id of ['m1', 'm2', 'm3']) await seedAgent(h.prisma, id);
    expect((await reserveOn(0, 'm1', 'MODEL_SWAP', generous)).ok).toBe(true);
    expect((await reserveOn(1, 'm2', 'MODEL_SWAP', generous)).ok).toBe(true);
    const third = await reserveOn(0, 'm3', 'MODEL_SWAP', generous);
    expect(third.ok || third.refusal.code).toBe('action_budget');
    expect((await reserveOn(1, 'm3', 'PROMPT_PATCH', generous)).ok).toBe(true);

    // m1's rollout finishes: the agent is free but cooling down.
    await h.prisma.rollout.updateMany({
      where: { agentId: 'm1' },
      data: { status: 'promoted', finishedAt: new Date() },
    });
    await h.prisma.agent.update({ where: { id: 'm1' }, data: { activeRolloutId: null } });
    const again = await reserveOn(0, 'm1', 'PROMPT_PATCH', generous);
    expect(again.ok || again.refusal.code).toBe('cooldown');
    await h.prisma.rollout.updateMany({
      where: { agentId: 'm1' },
      data: { finishedAt: new Date(Date.now() - 31 * 60_000) },
    });
    expect((await reserveOn(0, 'm1', 'PROMPT_PATCH', generous)).ok).toBe(true);
  });

  it('refuses an unknown agent and rolls the transaction back when start fails', async () => {
    const unknown = await reserveOn(0, 'ghost');
    expect(unknown.ok || unknown.refusal.code).toBe('unknown_agent');
    await seedAgent(h.prisma, 'boom');
    await expect(
      budgets[0]!.reserve(limits, { agentId: 'boom', mutationType: 'PROMPT_PATCH' }, async (tx) => {
        await startRollout(tx, 'boom');
        throw new Error('adapter exploded');
      }),
    ).rejects.toThrow('adapter exploded');
    expect(await h.prisma.rollout.count()).toBe(0);
    expect((await budgets[0]!.agentState('boom'))?.activeRolloutId).toBeNull();
  });
});
