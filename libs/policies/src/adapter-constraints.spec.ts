import { DEFAULT_ADAPTER_CONSTRAINTS } from '@metaloop/contracts';
import { adapterConstraints, routeShiftPoints } from './adapter-constraints';
import { policySchema } from './policy.schema';

describe('adapterConstraints', () => {
  it('of the default policy are the adapters’ defaults, in every environment', () => {
    for (const environment of ['dev', 'staging', 'prod'] as const) {
      expect(adapterConstraints(policySchema.parse({}), environment)).toEqual(DEFAULT_ADAPTER_CONSTRAINTS);
    }
  });

  const policy = policySchema.parse({
    actions: {
      per_environment: {
        prod: {
          ROUTE_CHANGE: { max_shift_points: 10 },
          PARAM_SET: { allow: ['temperature'], forbid: ['top_k'], bounds: { temperature: { max: 1 } } },
          MEMORY_UPDATE: { max_facts: 20 },
        },
      },
    },
  });

  it('gives the general limits where an environment has none of its own', () => {
    expect(adapterConstraints(policy, 'dev')).toEqual({
      route: { maxShiftPoints: 20 },
      params: {
        allow: policy.actions.PARAM_SET.allow,
        forbid: policy.actions.PARAM_SET.forbid,
        bounds: policy.actions.PARAM_SET.bounds,
      },
      memory: { maxFacts: 100, maxExamples: 50 },
    });
  });

  it('lays the environment’s own over them: replacing, adding to forbid, merging bounds', () => {
    const prod = adapterConstraints(policy, 'prod');
    expect(prod.route).toEqual({ maxShiftPoints: 10 });
    expect(prod.params.allow).toEqual(['temperature']);
    expect(prod.params.forbid).toEqual([...policy.actions.PARAM_SET.forbid, 'top_k']);
    expect(prod.params.bounds).toMatchObject({ temperature: { max: 1 }, max_tokens: { min: 1, max: 8192 } });
    expect(prod.memory).toEqual({ maxFacts: 20, maxExamples: 50 });
  });
});

describe('routeShiftPoints', () => {
  it.each([
    [{ a: 80, b: 20 }, { a: 60, b: 40 }, 20],
    [{ a: 80, b: 20 }, { a: 3, b: 2 }, 20],
    [{ a: 100 }, { b: 100 }, 100],
    [{ a: 50, b: 50 }, { a: 50, b: 50 }, 0],
    [{ a: 70, b: 30 }, { a: 70, b: 20, c: 10 }, 10],
  ])('%j → %j moves %s points', (current, target, points) => {
    expect(routeShiftPoints(current, target)).toBeCloseTo(points, 9);
  });
});
