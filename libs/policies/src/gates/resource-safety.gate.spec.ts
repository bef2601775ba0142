import { mutation, paramSet, plan, policyWith, routeChange, stateFor, withAgent } from './__tests__/fixtures';
import { resourceSafetyGate } from './resource-safety.gate';
import type { GateState } from './gate-state';

const defaults = policyWith();
const label = (type: string) => `mutations[0] (${type} on helpful_assistant)`;

describe('resource_safety', () => {
  describe('route shift (stable route a: 80, b: 20; cap 20 points)', () => {
    it.each([
      [{ a: 60, b: 40 }, 20, 'pass'],
      [{ a: 59, b: 41 }, 21, 'fail'],
      [{ a: 6, b: 4 }, 20, 'pass'], // normalised to 60/40
      [{ a: 70, b: 20, c: 10 }, 10, 'pass'],
      [{ b: 100 }, 80, 'fail'],
    ])('%j moves %s points: %s', (weights, points, status) => {
      const p = plan([routeChange(weights)]);
      const result = resourceSafetyGate(defaults, p, stateFor(p));
      expect(result.status).toBe(status);
      expect(result.details!.route_shifts).toEqual([{ mutation: 0, shift_points: points, max_shift_points: 20 }]);
      if (status === 'fail')
        expect(result.reason).toBe(`${label('ROUTE_CHANGE')}: shifts ${points} points of traffic, at most 20 allowed`);
    });

    it('uses the environment’s cap', () => {
      const policy = policyWith({ actions: { per_environment: { prod: { ROUTE_CHANGE: { max_shift_points: 10 } } } } });
      const p = plan([routeChange({ a: 65, b: 35 })]);
      expect(resourceSafetyGate(policy, p, stateFor(p)).status).toBe('pass');
      expect(
        resourceSafetyGate(policy, p, withAgent(stateFor(p), 'helpful_assistant', { environment: 'prod' })).status,
      ).toBe('fail');
    });

    it.each([
      [
        'no stable revision',
        (s: GateState) => withAgent(s, 'helpful_assistant', { stable: null }),
        { a: 100 },
        'the agent has no route to shift',
      ],
      ['all-zero weights', (s: GateState) => s, { a: 0, b: 0 }, 'every target weight is 0'],
    ])('fails with %s', (_case, bend, weights, reason) => {
      const p = plan([routeChange(weights)]);
      expect(resourceSafetyGate(defaults, p, bend(stateFor(p))).reason).toBe(`${label('ROUTE_CHANGE')}: ${reason}`);
    });
  });

  describe('param bounds (temperature 0–1.5, max_tokens 1–8192)', () => {
    it.each([
      [{ temperature: 0 }, 'pass', undefined],
      [{ temperature: 1.5 }, 'pass', undefined],
      [{ temperature: 1.51 }, 'fail', 'param "temperature" = 1.51 is above 1.5'],
      [{ temperature: -0.1 }, 'fail', 'param "temperature" = -0.1 is below 0'],
      [{ temperature: 'hot' }, 'fail', 'param "temperature" must be a number'],
      [{ max_tokens: 8193 }, 'fail', 'param "max_tokens" = 8193 is above 8192'],
      [{ presence_penalty: 0.5 }, 'pass', undefined],
    ])('%j: %s', (set, status, reason) => {
      const p = plan([paramSet(set)]);
      const result = resourceSafetyGate(defaults, p, stateFor(p));
      expect(result.status).toBe(status);
      if (reason) expect(result.reason).toBe(`${label('PARAM_SET')}: ${reason}`);
    });

    it('merges the environment’s bounds over the general ones', () => {
      const policy = policyWith({
        actions: { per_environment: { prod: { PARAM_SET: { bounds: { temperature: { max: 1 } } } } } },
      });
      const p = plan([paramSet({ temperature: 1.2, max_tokens: 9000 })]);
      const result = resourceSafetyGate(
        policy,
        p,
        withAgent(stateFor(p), 'helpful_assistant', { environment: 'prod' }),
      );
      expect(result.details!.objections).toEqual([
        expect.objectContaining({ reason: expect.stringContaining('"temperature" = 1.2 is above 1') }),
        expect.objectContaining({ reason: expect.stringContaining('"max_tokens" = 9000 is above 8192') }),
      ]);
    });
  });

  describe('memory caps (2 facts at most)', () => {
    const policy = policyWith({ actions: { MEMORY_UPDATE: { max_facts: 2, max_examples: 1 } } });
    const fact = (id: string) => ({ id, text: `fact ${id}` });
    const withFacts = (s: GateState, ids: string[]) =>
      withAgent(s, 'helpful_assistant', {
        stable: {
          revision_id: 'rev-1',
          config: {
            ...s.agents.helpful_assistant!.stable!.config,
            memory: ids.map((id) => ({ ...fact(id), weight: 0.5 })),
          },
        },
      });

    it.each([
      [['f1'], { add: [fact('f2')] }, 'pass'],
      [['f1'], { add: [fact('f2'), fact('f3')] }, 'fail'],
      [['f1', 'f2'], { add: [fact('f3')], remove: ['f1'] }, 'pass'],
      [['f1', 'f2'], { add: [fact('f1')] }, 'pass'], // re-adding a present id adds nothing
      [['f1', 'f2', 'f3', 'f4'], { remove: ['f4'] }, 'pass'], // shrinking towards the cap
    ])('stable %j, change %j: %s', (current, facts, status) => {
      const p = plan([mutation({ type: 'MEMORY_UPDATE', params: { facts } })]);
      const result = resourceSafetyGate(policy, p, withFacts(stateFor(p), current));
      expect(result.status).toBe(status);
      if (status === 'fail')
        expect(result.reason).toBe(`${label('MEMORY_UPDATE')}: leaves 3 memory facts, at most 2 allowed`);
    });

    it('caps few-shot examples too', () => {
      const example = (id: string) => ({ id, input: 'q', output: 'a' });
      const p = plan([
        mutation({ type: 'MEMORY_UPDATE', params: { examples: { add: [example('e1'), example('e2')] } } }),
      ]);
      expect(resourceSafetyGate(policy, p, stateFor(p)).reason).toMatch(
        /leaves 2 few-shot examples, at most 1 allowed/,
      );
    });
  });
});
