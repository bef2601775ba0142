import { DEFAULT_ADAPTER_CONSTRAINTS } from '@metaloop/contracts';
import { startFakeRouter, type FakeRouter } from './__tests__/fake-router';
import { checkpoints, context, FAST, PARENT } from './__tests__/fixtures';
import type { MutationAdapter } from './adapter';
import { createAdapters } from './adapters';
import { AdapterError } from './errors';
import { normaliseTo100, shiftPoints } from './route-change.adapter';

const SECRET = 'router-secret';
const seventyThirty = { weights: { 'eu-1': 70, 'us-1': 30 } };

describe('route weights', () => {
  it.each([
    [
      { a: 1, b: 1, c: 1 },
      { a: 33.34, b: 33.33, c: 33.33 },
    ],
    [
      { a: 7, b: 3 },
      { a: 70, b: 30 },
    ],
    [{ a: 0.5 }, { a: 100 }],
    [
      { a: 2, b: 0 },
      { a: 100, b: 0 },
    ],
  ])('normalises %o to 100', (weights, expected) => {
    const normalised = normaliseTo100(weights);
    expect(normalised).toEqual(expected);
    expect(Object.values(normalised).reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(100, 9);
  });

  it('measures the shift as the share of traffic that moves', () => {
    expect(shiftPoints({ a: 80, b: 20 }, { a: 70, b: 30 })).toBe(10);
    expect(shiftPoints({ a: 80, b: 20 }, { a: 80, c: 20 })).toBe(20);
    expect(shiftPoints({ a: 100 }, { b: 100 })).toBe(100);
  });
});

describe('ROUTE_CHANGE prepare', () => {
  const adapter = createAdapters().ROUTE_CHANGE;

  it('normalises the target weights and reports the shift', () => {
    const { config, summary, side_effects } = adapter.prepare(context(), {
      weights: { 'eu-1': 7, 'us-1': 2, 'ap-1': 1 },
    });
    expect(config.route).toEqual({ weights: { 'eu-1': 70, 'us-1': 20, 'ap-1': 10 } });
    expect(summary).toEqual({
      weights: { before: { 'eu-1': 80, 'us-1': 20 }, after: { 'eu-1': 70, 'us-1': 20, 'ap-1': 10 } },
      shift_points: 10,
    });
    expect(side_effects).toEqual([]);
  });

  it.each([
    [
      'an unregistered backend',
      { weights: { 'eu-1': 90, 'mars-1': 10 } },
      'unknown_candidate',
      'params.weights.mars-1',
    ],
    ['a shift above the cap', { weights: { 'eu-1': 50, 'us-1': 50 } }, 'constraint_violation', 'params.weights'],
    ['weights that sum to 0', { weights: { 'eu-1': 0 } }, 'invalid_params', 'params.weights'],
    ['a negative weight', { weights: { 'eu-1': -5, 'us-1': 105 } }, 'invalid_params', 'params.weights.eu-1'],
    ['no backend', { weights: {} }, 'invalid_params', 'params.weights'],
    ['the same split, scaled', { weights: { 'eu-1': 8, 'us-1': 2 } }, 'no_change', 'params.weights'],
  ])('rejects %s', (_name, params, code, path) => {
    expect(() => adapter.prepare(context(), params)).toThrow(expect.objectContaining({ code, path }));
  });

  it('says how far the shift goes over the cap', () => {
    expect(() => adapter.prepare(context(), { weights: { 'eu-1': 50, 'us-1': 50 } })).toThrow(
      'the route shifts 30 points, the policy allows at most 20',
    );
    const relaxed = context({ constraints: { ...DEFAULT_ADAPTER_CONSTRAINTS, route: { maxShiftPoints: 30 } } });
    expect(adapter.prepare(relaxed, { weights: { 'eu-1': 50, 'us-1': 50 } }).summary.shift_points).toBe(30);
  });

  it('needs a route in the parent', () => {
    const { route: _route, ...withoutRoute } = PARENT;
    expect(() => adapter.prepare(context({ parent: withoutRoute }), seventyThirty)).toThrow(
      expect.objectContaining({ code: 'incompatible' }),
    );
  });
});

describe('ROUTE_CHANGE with the router webhook', () => {
  let router: FakeRouter;
  let adapter: MutationAdapter<'ROUTE_CHANGE'>;
  beforeEach(async () => {
    router = await startFakeRouter(SECRET);
    adapter = createAdapters({
      router: { webhookUrl: `${router.url}/hooks/metaloop`, secret: SECRET, ...FAST },
    }).ROUTE_CHANGE;
  });
  afterEach(() => router.close());

  /** Apply (nothing reaches the router), then promote, which posts the weights. */
  const promoted = async (ctx: ReturnType<typeof context>, checkpoint = checkpoints().checkpoint) => {
    const prepared = adapter.prepare(ctx, seventyThirty);
    const applied = await adapter.apply(ctx, prepared, checkpoint);
    return { prepared, applied, state: await adapter.promote(ctx, prepared, applied, checkpoint) };
  };

  it('tells the router nothing while the canary runs, and posts signed weights at promote, each delivery once', async () => {
    const ctx = context();
    const prepared = adapter.prepare(ctx, seventyThirty);
    const { saved, checkpoint } = checkpoints();
    const applied = await adapter.apply(ctx, prepared, checkpoint);
    expect(applied.effects).toEqual([]);
    expect(router.received).toHaveLength(0);
    const state = await adapter.promote(ctx, prepared, applied, checkpoint);
    expect(saved[0]!.effects).toEqual([
      {
        effect: {
          kind: 'router_weights',
          weights: { 'eu-1': 70, 'us-1': 30 },
          previous_weights: { 'eu-1': 80, 'us-1': 20 },
        },
        status: 'started',
      },
    ]);
    expect(router.weights.get('support_bot')).toEqual({ 'eu-1': 70, 'us-1': 30 });
    expect(JSON.parse(router.received[0]!.body)).toEqual({
      agent_id: 'support_bot',
      environment: 'prod',
      operation_id: ctx.operationId,
      phase: 'apply',
      weights: { 'eu-1': 70, 'us-1': 30 },
    });
    expect(await adapter.verify(ctx, prepared, state)).toEqual({
      ok: true,
      checks: [{ kind: 'router_weights', target: 'router', ok: true, detail: 'the router acknowledged the weights' }],
    });

    // A repeated promote finds the delivery done; a revert (of a half-promoted state, say) posts the parent weights.
    await adapter.promote(ctx, prepared, state, checkpoint);
    expect((await adapter.revert(ctx, state)).config).toEqual(PARENT);
    expect(router.weights.get('support_bot')).toEqual({ 'eu-1': 80, 'us-1': 20 });
    await adapter.revert(ctx, state);
    expect(router.received).toHaveLength(3);
    expect(router.deliveries).toEqual([`${ctx.operationId}:apply`, `${ctx.operationId}:revert`]);
  });

  it('makes no call when reverting a canary that was never promoted', async () => {
    const ctx = context();
    const applied = await adapter.apply(ctx, adapter.prepare(ctx, seventyThirty), checkpoints().checkpoint);
    await adapter.revert(ctx, applied);
    await adapter.revert(context(), null);
    expect(router.received).toHaveLength(0);
  });

  it.each([
    ['a timeout', 'hang' as const],
    ['two 5xx', 502],
  ])('retries after %s, signing each attempt', async (_name, fault) => {
    router.fault('/hooks/metaloop', fault, fault === 'hang' ? 1 : 2);
    const { state } = await promoted(context());
    expect(state.effects[0]!.status).toBe('done');
    expect(router.weights.get('support_bot')).toEqual({ 'eu-1': 70, 'us-1': 30 });
  });

  it('fails clearly when the router answers 5xx for good, and the checkpointed state still reverts', async () => {
    router.fault('/hooks/metaloop', 500);
    const ctx = context();
    const { checkpoint, last } = checkpoints();
    const failure = await promoted(ctx, checkpoint).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdapterError);
    expect(failure).toMatchObject({
      code: 'side_effect_failed',
      message: expect.stringContaining('failed after 3 attempts: 500 injected fault'),
    });
    expect(await adapter.verify(ctx, adapter.prepare(ctx, seventyThirty), last()!)).toMatchObject({
      ok: false,
      checks: [{ detail: 'the call was started but not confirmed' }],
    });

    router.clearFaults();
    expect((await adapter.revert(ctx, last())).config).toEqual(PARENT);
    expect(router.weights.get('support_bot')).toEqual({ 'eu-1': 80, 'us-1': 20 });
  });

  it('is refused by a router with another secret', async () => {
    const wrong = createAdapters({
      router: { webhookUrl: `${router.url}/hooks/metaloop`, secret: 'guess', ...FAST },
    }).ROUTE_CHANGE;
    const ctx = context();
    const prepared = wrong.prepare(ctx, seventyThirty);
    const { checkpoint } = checkpoints();
    await expect(
      wrong.promote(ctx, prepared, await wrong.apply(ctx, prepared, checkpoint), checkpoint),
    ).rejects.toMatchObject({
      code: 'side_effect_failed',
      message: expect.stringContaining('answered 401'),
    });
    expect(router.received).toHaveLength(1);
  });
});
