import {
  ACTIVE_ROLLOUT_STATUSES,
  EXECUTING_PLAN_STATUSES,
  FINISHED_MUTATION_STATUSES,
  LIVE_ROLLOUT_STATUSES,
  MUTATION_STATUSES,
  PAST_VALIDATION_PLAN_STATUSES,
  PLAN_STATUSES,
  ROLLOUT_STATUSES,
  UNEXECUTED_PLAN_STATUSES,
  UNFINISHED_MUTATION_STATUSES,
} from './lifecycle-states';
import {
  allowedFrom,
  assertTransition,
  canTransition,
  finalStates,
  IllegalTransitionError,
  type LifecycleEntity,
} from './transitions';

/** Every transition the lifecycle allows, written out: any pair not listed is refused. */
const ALLOWED: Record<LifecycleEntity, string[]> = {
  plan: [
    'draft → validated',
    'draft → blocked',
    'draft → awaiting_approval',
    'draft → rejected',
    'draft → expired',
    'validated → validated',
    'validated → blocked',
    'validated → awaiting_approval',
    'validated → queued',
    'validated → rejected',
    'validated → expired',
    'blocked → validated',
    'blocked → blocked',
    'blocked → awaiting_approval',
    'blocked → rejected',
    'blocked → expired',
    'awaiting_approval → validated',
    'awaiting_approval → blocked',
    'awaiting_approval → awaiting_approval',
    'awaiting_approval → approved',
    'awaiting_approval → rejected',
    'awaiting_approval → expired',
    'approved → validated',
    'approved → blocked',
    'approved → approved',
    'approved → queued',
    'approved → rejected',
    'approved → expired',
    'queued → validated',
    'queued → approved',
    'queued → executing',
    'queued → completed',
    'queued → failed',
    'executing → completed',
    'executing → failed',
  ],
  mutation: [
    'pending → applied',
    'pending → skipped',
    'pending → failed',
    'pending → rolled_back',
    'pending → retired',
    'applied → promoted',
    'applied → rolled_back',
    'applied → retired',
    'applied → failed',
  ],
  rollout: [
    'pending → running',
    'pending → failed',
    'pending → rolled_back',
    'pending → retired',
    'running → running',
    'running → paused',
    'running → promoted',
    'running → rolled_back',
    'running → retired',
    'paused → paused',
    'paused → rolled_back',
    'paused → retired',
  ],
};

const STATES: Record<LifecycleEntity, readonly string[]> = {
  plan: PLAN_STATUSES,
  mutation: MUTATION_STATUSES,
  rollout: ROLLOUT_STATUSES,
};

const pairs = (Object.keys(STATES) as LifecycleEntity[]).flatMap((entity) =>
  STATES[entity].flatMap((from) =>
    STATES[entity].map((to) => ({ entity, from, to, allowed: ALLOWED[entity].includes(`${from} → ${to}`) })),
  ),
);

describe('lifecycle transitions', () => {
  it.each(pairs)('$entity: $from → $to allowed: $allowed', ({ entity, from, to, allowed }) => {
    expect(canTransition(entity, from as never, to as never)).toBe(allowed);
  });

  it('lists only transitions between states that exist', () => {
    for (const [entity, edges] of Object.entries(ALLOWED) as Array<[LifecycleEntity, string[]]>) {
      for (const edge of edges) for (const state of edge.split(' → ')) expect(STATES[entity]).toContain(state);
    }
  });

  it('names the state groups the callers use after what the table allows', () => {
    const sorted = (states: readonly string[]) => [...states].sort();
    // reject and expire take any unexecuted plan; validation leaves the rest alone
    expect(sorted(allowedFrom('plan', 'rejected'))).toEqual(sorted(UNEXECUTED_PLAN_STATUSES));
    expect(sorted(allowedFrom('plan', 'expired'))).toEqual(sorted(UNEXECUTED_PLAN_STATUSES));
    expect(sorted([...UNEXECUTED_PLAN_STATUSES, ...PAST_VALIDATION_PLAN_STATUSES])).toEqual(sorted(PLAN_STATUSES));
    expect(sorted(allowedFrom('plan', 'completed'))).toEqual(sorted(EXECUTING_PLAN_STATUSES));
    expect(sorted(finalStates('plan'))).toEqual(['completed', 'expired', 'failed', 'rejected']);
    expect(sorted(finalStates('mutation'))).toEqual(sorted(FINISHED_MUTATION_STATUSES));
    expect(sorted(MUTATION_STATUSES.filter((s) => !finalStates('mutation').includes(s)))).toEqual(
      sorted(UNFINISHED_MUTATION_STATUSES),
    );
    // routing flips back to stable from any active rollout; live ones are active ones that serve
    expect(allowedFrom('rollout', 'rolled_back')).toEqual([...ACTIVE_ROLLOUT_STATUSES]);
    expect(allowedFrom('rollout', 'retired')).toEqual([...ACTIVE_ROLLOUT_STATUSES]);
    expect(sorted(ROLLOUT_STATUSES.filter((s) => !finalStates('rollout').includes(s)))).toEqual(
      sorted(ACTIVE_ROLLOUT_STATUSES),
    );
    expect(LIVE_ROLLOUT_STATUSES.every((s) => canTransition('rollout', s, 'rolled_back'))).toBe(true);
  });

  it('throws on a transition the table refuses, naming it', () => {
    expect(() => assertTransition('plan', ['awaiting_approval'], 'approved')).not.toThrow();
    expect(() => assertTransition('plan', ['queued', 'awaiting_approval'], 'approved')).not.toThrow();
    expect(() => assertTransition('plan', ['draft', 'awaiting_approval'], 'approved')).toThrow(
      new IllegalTransitionError('plan', ['draft', 'awaiting_approval'], 'approved'),
    );
    expect(() => assertTransition('rollout', ['promoted'], 'rolled_back')).toThrow(
      'rollout: promoted → rolled_back is not a transition of its lifecycle',
    );
    expect(() => assertTransition('mutation', [], 'failed')).toThrow(IllegalTransitionError);
  });
});
