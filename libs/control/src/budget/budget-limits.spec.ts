import { policySchema } from '@metaloop/policies';
import { budgetLimitsFromPolicy } from './budget-from-policy';
import {
  budgetRefusal,
  budgetRemaining,
  type AgentBudgetState,
  type BudgetLimits,
  type BudgetUsage,
} from './budget-limits';

const limits: BudgetLimits = {
  perHour: 10,
  perHourByEnvironment: { prod: 5 },
  perDayByType: { MODEL_SWAP: 2 },
  maxConcurrentRollouts: 3,
  cooldownMinutes: 30,
};
const now = new Date('2026-12-02T12:00:00Z');
const idle: AgentBudgetState = { environment: 'dev', activeRolloutId: null, lastFinishedAt: null };
const empty: BudgetUsage = {
  lastHour: 0,
  lastHourByEnvironment: { dev: 0, staging: 0, prod: 0 },
  lastDayByType: {},
  activeRollouts: 0,
};
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('budgetRefusal', () => {
  it.each([
    ['an idle agent with an empty budget', {}, {}, 'PROMPT_PATCH', null],
    ['an agent with a rollout in progress', {}, { activeRolloutId: 'r1' }, 'PROMPT_PATCH', 'agent_busy'],
    ['29 min after the last rollout', {}, { lastFinishedAt: minutesAgo(29) }, 'PROMPT_PATCH', 'cooldown'],
    ['31 min after the last rollout', {}, { lastFinishedAt: minutesAgo(31) }, 'PROMPT_PATCH', null],
    ['2 of 3 concurrent rollouts', { activeRollouts: 2 }, {}, 'PROMPT_PATCH', null],
    ['3 of 3 concurrent rollouts', { activeRollouts: 3 }, {}, 'PROMPT_PATCH', 'concurrency'],
    ['9 of 10 this hour', { lastHour: 9 }, {}, 'PROMPT_PATCH', null],
    ['10 of 10 this hour', { lastHour: 10 }, {}, 'PROMPT_PATCH', 'hourly_budget'],
    [
      '4 of 5 in prod',
      { lastHour: 4, lastHourByEnvironment: { dev: 0, staging: 0, prod: 4 } },
      { environment: 'prod' },
      'PROMPT_PATCH',
      null,
    ],
    [
      '5 of 5 in prod',
      { lastHour: 5, lastHourByEnvironment: { dev: 0, staging: 0, prod: 5 } },
      { environment: 'prod' },
      'PROMPT_PATCH',
      'environment_budget',
    ],
    [
      '5 prod mutations but a dev agent',
      { lastHour: 5, lastHourByEnvironment: { dev: 0, staging: 0, prod: 5 } },
      {},
      'PROMPT_PATCH',
      null,
    ],
    ['1 of 2 MODEL_SWAP today', { lastDayByType: { MODEL_SWAP: 1 } }, {}, 'MODEL_SWAP', null],
    ['2 of 2 MODEL_SWAP today', { lastDayByType: { MODEL_SWAP: 2 } }, {}, 'MODEL_SWAP', 'action_budget'],
    ['2 MODEL_SWAP today but a PROMPT_PATCH', { lastDayByType: { MODEL_SWAP: 2 } }, {}, 'PROMPT_PATCH', null],
  ] as const)('%s → %s', (_name, usage, agent, type, code) => {
    const refusal = budgetRefusal(limits, { ...empty, ...usage }, { ...idle, ...agent }, type, now);
    expect(refusal?.code ?? null).toBe(code);
    if (refusal) expect(refusal.reason.length).toBeGreaterThan(10);
  });
});

describe('budgetRemaining', () => {
  it('never goes below zero', () => {
    const usage: BudgetUsage = {
      lastHour: 12,
      lastHourByEnvironment: { dev: 7, staging: 0, prod: 5 },
      lastDayByType: { MODEL_SWAP: 1 },
      activeRollouts: 1,
    };
    expect(budgetRemaining(limits, usage)).toEqual({
      perHour: 0,
      perHourByEnvironment: { prod: 0 },
      perDayByType: { MODEL_SWAP: 1 },
      concurrentRollouts: 2,
    });
  });
});

describe('budgetLimitsFromPolicy', () => {
  it('maps the default policy onto the seed limits', () => {
    expect(budgetLimitsFromPolicy(policySchema.parse({}))).toEqual({
      perHour: 10,
      perHourByEnvironment: { dev: 10, staging: 10, prod: 5 },
      perDayByType: expect.objectContaining({ MODEL_SWAP: 2 }),
      maxConcurrentRollouts: 3,
      cooldownMinutes: 30,
    });
  });
});
