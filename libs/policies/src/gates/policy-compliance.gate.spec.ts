import type { GateState } from './gate-state';
import { policyComplianceGate } from './policy-compliance.gate';
import {
  modelSwap,
  mutation,
  paramSet,
  plan,
  policyWith,
  promptPatch,
  routeChange,
  stateFor,
  withAgent,
} from './__tests__/fixtures';

const defaults = policyWith();
const noModelSwapInProd = policyWith({
  actions: { enabled: { prod: ['PROMPT_PATCH', 'LORA_APPLY', 'ROUTE_CHANGE', 'PARAM_SET', 'MEMORY_UPDATE'] } },
});
const inProd = (state: GateState) => withAgent(state, 'helpful_assistant', { environment: 'prod' });

describe('policy_compliance', () => {
  it.each([
    ['a rule-based prompt patch', promptPatch()],
    ['a registered prompt version', mutation({ type: 'PROMPT_PATCH', params: { source: 'candidate', version: 'v2' } })],
    ['a registered model', modelSwap()],
    [
      'attaching a registered LoRA adapter',
      mutation({ type: 'LORA_APPLY', params: { action: 'attach', adapter_id: 'tone-v2' } }),
    ],
    [
      'detaching an attached LoRA adapter',
      mutation({ type: 'LORA_APPLY', params: { action: 'detach', adapter_id: 'tone-v1' } }),
    ],
    ['routing to registered backends', routeChange({ a: 70, c: 30 })],
    ['setting and unsetting allowed params', paramSet({ temperature: 0.3 }, ['top_p'])],
    [
      'a memory update',
      mutation({ type: 'MEMORY_UPDATE', params: { facts: { add: [{ id: 'f1', text: 'EU customer' }] } } }),
    ],
  ])('passes %s', (_case, subject) => {
    const p = plan([subject]);
    expect(policyComplianceGate(defaults, p, stateFor(p))).toMatchObject({ gate: 'policy_compliance', status: 'pass' });
  });

  it.each([
    [
      'an unknown agent',
      modelSwap({ agent_id: 'ghost' }),
      defaults,
      (s: GateState) => ({ ...s, agents: {} }),
      'unknown agent',
    ],
    [
      'a type not enabled in the environment',
      modelSwap(),
      noModelSwapInProd,
      inProd,
      'MODEL_SWAP is not enabled in prod',
    ],
    [
      'an unregistered model',
      modelSwap({ params: { model: 'gpt-5' } }),
      defaults,
      undefined,
      'model "gpt-5" is not a registered candidate',
    ],
    [
      'an unregistered prompt version',
      mutation({ type: 'PROMPT_PATCH', params: { source: 'candidate', version: 'v9' } }),
      defaults,
      undefined,
      'prompt version "v9" is not a registered candidate',
    ],
    [
      'an unregistered LoRA adapter',
      mutation({ type: 'LORA_APPLY', params: { action: 'attach', adapter_id: 'x' } }),
      defaults,
      undefined,
      'LoRA adapter "x" is not a registered candidate',
    ],
    [
      'detaching an adapter that is not attached',
      mutation({ type: 'LORA_APPLY', params: { action: 'detach', adapter_id: 'tone-v2' } }),
      defaults,
      undefined,
      'LoRA adapter "tone-v2" is not attached',
    ],
    [
      'an unknown backend',
      routeChange({ a: 80, z: 20 }),
      defaults,
      undefined,
      'backend "z" is neither registered nor routed to',
    ],
    ['a forbidden param', paramSet({ model: 'gpt-5' }), defaults, undefined, 'param "model" is forbidden'],
    [
      'a param outside the allow list',
      paramSet({ seed: 7 }),
      defaults,
      undefined,
      'param "seed" is not in the allow list',
    ],
    [
      'unsetting a param outside the allow list',
      paramSet({}, ['stop']),
      defaults,
      undefined,
      'param "stop" is not in the allow list',
    ],
    [
      'a model-like param even when everything is allowed',
      paramSet({ Fallback_Model: 'x' }),
      policyWith({ actions: { PARAM_SET: { allow: ['*'] } } }),
      undefined,
      'param "Fallback_Model" is forbidden',
    ],
    [
      'a mutation the adapter refused',
      modelSwap(),
      defaults,
      (s: GateState) => ({
        ...s,
        mutations: [
          { evidence_events: 50, prepare: { ok: false, code: 'unknown_candidate', reason: 'no such model' } },
        ],
      }),
      'the adapter refused it (unknown_candidate: no such model)',
    ],
  ])('fails %s', (_case, subject, policy, bend, reason) => {
    const p = plan([subject]);
    const state = bend ? bend(stateFor(p)) : stateFor(p);
    const result = policyComplianceGate(policy, p, state);
    expect(result.status).toBe('fail');
    expect(result.reason).toBe(`mutations[0] (${subject.type} on ${subject.agent_id}): ${reason}`);
  });

  it('lists every problem of every mutation', () => {
    const p = plan([paramSet({ model: 'x', seed: 1 }), modelSwap({ agent_id: 'other', params: { model: 'gpt-5' } })]);
    const result = policyComplianceGate(defaults, p, stateFor(p));
    expect(result.details!.objections).toEqual([
      expect.objectContaining({ mutation: 0, reason: expect.stringContaining('"model" is forbidden') }),
      expect.objectContaining({ mutation: 0, reason: expect.stringContaining('"seed" is not in the allow list') }),
      expect.objectContaining({
        mutation: 1,
        reason: expect.stringContaining('"gpt-5" is not a registered candidate'),
      }),
    ]);
  });

  it('uses the environment’s allow list', () => {
    const policy = policyWith({ actions: { per_environment: { prod: { PARAM_SET: { allow: ['temperature'] } } } } });
    const p = plan([paramSet({ top_p: 0.9 })]);
    expect(policyComplianceGate(policy, p, stateFor(p)).status).toBe('pass');
    expect(policyComplianceGate(policy, p, inProd(stateFor(p))).status).toBe('fail');
  });
});
