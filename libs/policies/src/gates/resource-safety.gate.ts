import type { AdapterConstraints, GateResult, MemoryUpdateParams, MutationOf, Plan } from '@metaloop/contracts';
import { adapterConstraints, routeShiftPoints } from '../adapter-constraints';
import type { Policy } from '../policy.schema';
import type { AgentGateState, GateState } from './gate-state';
import { fail, mutationLabel, verdict, type Objection } from './verdict';

// Weights normalised to 100 are floats: 20.000000000000004 points is 20.
const EPSILON = 1e-9;

/**
 * The size of each change stays within the policy: a route shift within its cap, bounded params
 * within their bounds, memory facts and examples within their caps after the change.
 */
export function resourceSafetyGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const routeShifts: Array<{ mutation: number; shift_points: number; max_shift_points: number }> = [];
  const objections = plan.mutations.flatMap((mutation, index): Objection[] => {
    const agent = state.agents[mutation.agent_id];
    if (!agent) return [];
    const limits = adapterConstraints(policy, agent.environment);
    let problems: string[] = [];
    if (mutation.type === 'ROUTE_CHANGE') {
      const shift = routeShift(mutation, agent);
      if (typeof shift === 'string') problems = [shift];
      else {
        routeShifts.push({
          mutation: index,
          shift_points: round(shift),
          max_shift_points: limits.route.maxShiftPoints,
        });
        if (shift > limits.route.maxShiftPoints + EPSILON)
          problems = [`shifts ${round(shift)} points of traffic, at most ${limits.route.maxShiftPoints} allowed`];
      }
    } else if (mutation.type === 'PARAM_SET') problems = boundProblems(mutation, limits);
    else if (mutation.type === 'MEMORY_UPDATE') problems = memoryProblems(mutation.params, agent, limits);
    return problems.map((problem) => fail(`${mutationLabel(mutation, index)}: ${problem}`, index));
  });
  return verdict('resource_safety', objections, 'every change within its size limits', { route_shifts: routeShifts });
}

/** The points a route change moves, or why it cannot be measured. */
function routeShift(mutation: MutationOf<'ROUTE_CHANGE'>, agent: AgentGateState): number | string {
  const current = agent.stable?.config.route?.weights;
  if (!current) return 'the agent has no route to shift';
  if (Object.values(mutation.params.weights).every((weight) => weight === 0)) return 'every target weight is 0';
  return routeShiftPoints(current, mutation.params.weights);
}

function boundProblems(mutation: MutationOf<'PARAM_SET'>, limits: AdapterConstraints): string[] {
  return Object.entries(mutation.params.set).flatMap(([key, value]) => {
    const bound = limits.params.bounds[key];
    if (!bound) return [];
    if (typeof value !== 'number') return [`param "${key}" must be a number`];
    if (bound.min !== undefined && value < bound.min) return [`param "${key}" = ${value} is below ${bound.min}`];
    if (bound.max !== undefined && value > bound.max) return [`param "${key}" = ${value} is above ${bound.max}`];
    return [];
  });
}

function memoryProblems(params: MemoryUpdateParams, agent: AgentGateState, limits: AdapterConstraints): string[] {
  const config = agent.stable?.config;
  return [
    ...capProblems('memory facts', config?.memory ?? [], params.facts, limits.memory.maxFacts),
    ...capProblems('few-shot examples', config?.examples ?? [], params.examples, limits.memory.maxExamples),
  ];
}

/** Growing past the cap is refused; shrinking towards it is not (an agent may already be over it). */
function capProblems(
  what: string,
  current: Array<{ id: string }>,
  change: ListChange | undefined,
  cap: number,
): string[] {
  const after = sizeAfter(current, change);
  return after > cap && after > current.length ? [`leaves ${after} ${what}, at most ${cap} allowed`] : [];
}

type ListChange = { add: Array<{ id: string }>; remove: string[] };

/** Items after adding (new ids only) and removing (present ids only). */
function sizeAfter(current: Array<{ id: string }>, change: ListChange | undefined): number {
  if (!change) return current.length;
  const ids = new Set(current.map((item) => item.id));
  for (const item of change.add) ids.add(item.id);
  for (const id of change.remove) ids.delete(id);
  return ids.size;
}

function round(points: number): number {
  return Math.round(points * 100) / 100;
}
