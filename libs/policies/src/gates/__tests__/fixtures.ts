import {
  agentConfigSchema,
  mutationSchema,
  planSchema,
  type Mutation,
  type MutationInput,
  type Plan,
} from '@metaloop/contracts';
import { policySchema, type Policy, type PolicyInput } from '../../policy.schema';
import type { AgentGateState, GateState } from '../gate-state';

/** Builders of valid policies, plans and states that each test bends in one place. */

export const NOW = '2026-06-01T12:00:00.000Z';

export function policyWith(input: PolicyInput = {}): Policy {
  return policySchema.parse(input);
}

type MutationSpec = Pick<MutationInput, 'type' | 'params'> & Partial<Omit<MutationInput, 'type' | 'params'>>;

export function mutation(spec: MutationSpec): Mutation {
  return mutationSchema.parse({
    agent_id: 'helpful_assistant',
    confidence: 0.8,
    risk: 3,
    expected_impact: { metric: 'p95_latency_ms', direction: 'decrease', relative_change: 0.2 },
    rationale: 'p95 latency up 30 % (p < 0.001)',
    ...spec,
  } as MutationInput);
}

export const promptPatch = (over: Partial<MutationSpec> = {}) =>
  mutation({
    type: 'PROMPT_PATCH',
    params: { source: 'rule', rule: 'conciseness', instruction: 'Be brief.' },
    ...over,
  } as MutationSpec);
export const modelSwap = (over: Partial<MutationSpec> = {}) =>
  mutation({ type: 'MODEL_SWAP', params: { model: 'gpt-4o-mini' }, ...over } as MutationSpec);
export const routeChange = (weights: Record<string, number>, over: Partial<MutationSpec> = {}) =>
  mutation({ type: 'ROUTE_CHANGE', params: { weights }, ...over } as MutationSpec);
export const paramSet = (
  set: Record<string, number | string | boolean>,
  unset: string[] = [],
  over: Partial<MutationSpec> = {},
) => mutation({ type: 'PARAM_SET', params: { set, unset }, ...over } as MutationSpec);

export function plan(mutations: Mutation[], over: Partial<Plan> = {}): Plan {
  return planSchema.parse({ mutations, confidence: 0.8, risk: 3, rationale: 'fix the latency regression', ...over });
}

export function agent(over: Partial<AgentGateState> = {}): AgentGateState {
  return {
    environment: 'dev',
    stable: {
      revision_id: 'rev-1',
      config: agentConfigSchema.parse({
        model: 'gpt-4o',
        prompt: { version: 'v1', template: 'You are helpful.' },
        params: { temperature: 0.7 },
        route: { weights: { a: 80, b: 20 } },
        lora: ['tone-v1'],
      }),
    },
    active_rollout_id: null,
    last_mutation_finished_at: null,
    candidates: { prompt: ['v2'], model: ['gpt-4o-mini'], lora: ['tone-v2'], backend: ['a', 'b', 'c'] },
    ...over,
  };
}

/** A state in which the plan passes every gate: known agents, plenty of evidence, nothing used. */
export function stateFor(subject: Plan, over: Partial<GateState> = {}): GateState {
  return {
    now: NOW,
    freeze: { frozen: false, reason: null },
    agents: Object.fromEntries(subject.mutations.map((m) => [m.agent_id, agent()])),
    running_rollouts: 0,
    budget_usage: { last_hour_global: 0, last_hour_by_environment: {}, last_day_by_type: {} },
    mutations: subject.mutations.map(() => ({ evidence_events: 50, prepare: { ok: true } })),
    ...over,
  };
}

/** The state with one agent's entry changed. */
export function withAgent(state: GateState, agentId: string, over: Partial<AgentGateState>): GateState {
  return { ...state, agents: { ...state.agents, [agentId]: { ...(state.agents[agentId] ?? agent()), ...over } } };
}
