import { agentConfigSchema, type Finding, type MutationInput } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { policySchema, type GateState, type PolicyInput } from '@metaloop/policies';
import { admitPicks, rankPicks } from './fleet-admission';
import type { AgentPick } from './planner';

const NOW = '2026-06-01T12:00:00.000Z';

function pick(
  agentId: string,
  severity: Finding['severity'] = 'high',
  relativeChange = 0.1,
  over: Partial<MutationInput> = {},
): AgentPick {
  const finding = {
    finding_id: uuidv7(),
    type: 'dissatisfaction',
    agent_id: agentId,
    revision_id: `rev_${agentId}`,
    severity,
    confidence: 0.95,
    summary: 'mean rating 2.1 below 3',
    evidence: { n: 400 },
    dedup_key: agentId,
    status: 'open',
    occurrences: 1,
  } as Finding;
  const mutation = {
    type: 'PROMPT_PATCH',
    agent_id: agentId,
    params: { source: 'candidate', version: 'v2' },
    confidence: 0.9,
    risk: 3,
    expected_impact: { metric: 'rating', direction: 'increase', relative_change: relativeChange },
    rationale: 'switch to v2',
    ...over,
  } as MutationInput;
  return { finding, mutation, also: [] };
}

function state(
  picks: readonly AgentPick[],
  over: Partial<GateState> = {},
  agentOver: Record<string, object> = {},
): GateState {
  const config = agentConfigSchema.parse({ model: 'gpt-4o', prompt: { version: 'v1', template: 'You are helpful.' } });
  return {
    now: NOW,
    freeze: { frozen: false, reason: null },
    agents: Object.fromEntries(
      picks.map((p) => [
        p.mutation.agent_id,
        {
          environment: 'dev',
          stable: { revision_id: 'r', config },
          active_rollout_id: null,
          last_mutation_finished_at: null,
          candidates: { prompt: ['v2'], model: [], lora: [], backend: [] },
          ...agentOver[p.mutation.agent_id],
        },
      ]),
    ),
    running_rollouts: 0,
    budget_usage: { last_hour_global: 0, last_hour_by_environment: {}, last_day_by_type: {} },
    mutations: picks.map(() => ({ evidence_events: 400, prepare: { ok: true } })),
    ...over,
  };
}

const policy = (input: PolicyInput = {}) => policySchema.parse(input);
const outcome = (admissions: ReturnType<typeof admitPicks>) =>
  admissions.map((a) => [
    a.pick.mutation.agent_id,
    a.kind === 'plan' ? (a.needsApproval ? 'approval' : 'admitted') : a.reason,
  ]);

describe('rankPicks', () => {
  it('orders by severity × expected impact × traffic, agent id breaking ties', () => {
    const picks = [
      pick('quiet', 'critical', 0.1),
      pick('busy', 'low', 0.1),
      pick('big-win', 'medium', 0.5),
      pick('twin-b'),
      pick('twin-a'),
    ];
    const traffic = new Map([
      ['quiet', 10],
      ['busy', 1_000],
      ['big-win', 100],
      ['twin-a', 50],
      ['twin-b', 50],
    ]);
    // critical 4 × 0.1 × 10 = 4; low 1 × 0.1 × 1000 = 100; medium 2 × 0.5 × 100 = 100; high 3 × 0.1 × 50 = 15 each.
    expect(rankPicks(picks, traffic).map((p) => p.mutation.agent_id)).toEqual([
      'big-win',
      'busy',
      'twin-a',
      'twin-b',
      'quiet',
    ]);
  });
});

describe('admitPicks', () => {
  it('admits what fits the concurrency limit and defers the rest, without one refusal blocking the others', () => {
    const picks = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => pick(id));
    expect(outcome(admitPicks(policy(), picks, state(picks), 'tick'))).toEqual([
      ['a', 'admitted'],
      ['b', 'admitted'],
      ['c', 'admitted'],
      ['d', 'concurrency'],
      ['e', 'concurrency'],
      ['f', 'concurrency'],
    ]);
  });

  it('counts rollouts already running and the budget already used', () => {
    const picks = ['a', 'b', 'c'].map((id) => pick(id));
    const busy = state(picks, { running_rollouts: 2 });
    expect(outcome(admitPicks(policy(), picks, busy, 'tick'))).toEqual([
      ['a', 'admitted'],
      ['b', 'concurrency'],
      ['c', 'concurrency'],
    ]);
    const spent = state(picks, {
      budget_usage: { last_hour_global: 9, last_hour_by_environment: { dev: 9 }, last_day_by_type: {} },
    });
    expect(outcome(admitPicks(policy(), picks, spent, 'tick'))).toEqual([
      ['a', 'admitted'],
      ['b', 'budget'],
      ['c', 'budget'],
    ]);
  });

  it('names the reason of each wait: cooldown, freeze, another gate, approval', () => {
    const picks = [
      pick('cool'),
      pick('weak', 'high', 0.1, { confidence: 0.5 }),
      pick('risky', 'high', 0.1, { risk: 7 }),
      pick('fine'),
    ];
    const recently = new Date(Date.parse(NOW) - 5 * 60_000).toISOString();
    const judged = admitPicks(
      policy(),
      picks,
      state(picks, {}, { cool: { last_mutation_finished_at: recently } }),
      'tick',
    );
    expect(outcome(judged)).toEqual([
      ['cool', 'cooldown'],
      ['weak', 'gates'],
      ['risky', 'approval'],
      ['fine', 'admitted'],
    ]);
    expect(judged[1]).toMatchObject({
      detail: expect.stringMatching(/confidence_and_evidence: .*confidence 0.5 is below 0.7/),
    });
    // A plan waiting for a person holds no slot: the limit of 1 is left to `fine`.
    expect(
      outcome(
        admitPicks(
          policy({ concurrency: { max_concurrent_rollouts: 1 } }),
          picks.slice(2),
          state(picks.slice(2)),
          'tick',
        ),
      ),
    ).toEqual([
      ['risky', 'approval'],
      ['fine', 'admitted'],
    ]);
    const frozen = state(picks, { freeze: { frozen: true, reason: 'release' } });
    expect(outcome(admitPicks(policy(), picks, frozen, 'tick')).map(([, reason]) => reason)).toEqual([
      'freeze',
      'freeze',
      'freeze',
      'freeze',
    ]);
  });
});
