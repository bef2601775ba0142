import { rollbackViabilityGate } from './rollback-viability.gate';
import { modelSwap, mutation, plan, policyWith, stateFor, withAgent } from './__tests__/fixtures';

const defaults = policyWith();
const label = 'mutations[0] (LORA_APPLY on helpful_assistant)';
const attach = (rollback_spec?: object) =>
  mutation({
    type: 'LORA_APPLY',
    params: { action: 'attach', adapter_id: 'tone-v2' },
    ...(rollback_spec ? { rollback_spec: { restore_revision_id: 'rev-1', ...rollback_spec } } : {}),
  });

describe('rollback_viability', () => {
  it.each([
    ['no rollback spec (back to stable)', attach()],
    ['the stable revision and a known revert', attach({ side_effects: ['lora_unload'] })],
    ['no named revision', attach({ restore_revision_id: null })],
  ])('passes %s', (_case, subject) => {
    const p = plan([subject]);
    expect(rollbackViabilityGate(defaults, p, stateFor(p)).status).toBe('pass');
  });

  it.each([
    [
      'another revision than the stable one',
      attach({ restore_revision_id: 'rev-0' }),
      'restores rev-0, but the stable revision is rev-1',
    ],
    [
      'a side effect without a known revert',
      attach({ side_effects: ['dns_update'] }),
      'side effect "dns_update" has no known revert',
    ],
  ])('fails %s', (_case, subject, reason) => {
    const p = plan([subject]);
    expect(rollbackViabilityGate(defaults, p, stateFor(p))).toMatchObject({
      status: 'fail',
      reason: `${label}: ${reason}`,
    });
  });

  it('fails an agent without a stable revision', () => {
    const p = plan([modelSwap()]);
    const result = rollbackViabilityGate(defaults, p, withAgent(stateFor(p), 'helpful_assistant', { stable: null }));
    expect(result.reason).toBe(
      'mutations[0] (MODEL_SWAP on helpful_assistant): the agent has no stable revision to return to',
    );
  });

  it('asks for approval when the rollback is not automatic', () => {
    const p = plan([attach({ automatic: false })]);
    expect(rollbackViabilityGate(defaults, p, stateFor(p))).toMatchObject({
      status: 'needs_approval',
      reason: `${label}: its rollback is not automatic`,
    });
  });

  it('asks for approval when auto-rollback is off (ORACLE_AUTO_ROLLBACK=false)', () => {
    const p = plan([attach()]);
    const result = rollbackViabilityGate(policyWith({ auto_rollback: { enabled: false } }), p, stateFor(p));
    expect(result).toMatchObject({
      status: 'needs_approval',
      reason: 'auto-rollback is off: a person must watch the rollout',
    });
  });

  it('lets a failure win over a request for approval', () => {
    const p = plan([attach({ automatic: false, side_effects: ['dns_update'] })]);
    const result = rollbackViabilityGate(defaults, p, stateFor(p));
    expect(result.status).toBe('fail');
    expect(result.details!.objections).toHaveLength(2);
  });
});
