import { agentConfigSchema, type CandidateSpec, type Finding } from '@metaloop/contracts';
import { proposalFor } from '../planning/mutation-proposals';
import type { AgentPlanningState } from '../planning/planning-context';

/* The planner's candidate selection for trained artifacts (seed 001: the trained model is the challenger). */

const finding = (type: Finding['type'], evidence: Record<string, unknown> = {}): Finding =>
  ({
    finding_id: '00000000-0000-7000-8000-000000000001',
    type,
    agent_id: 'alpha',
    revision_id: null,
    severity: 'high',
    confidence: 1,
    summary: 'retrain (sample count): 1200 new quality samples',
    dedup_key: 'k',
    status: 'open',
    occurrences: 1,
    evidence: { metric: 'success_rate', ...evidence },
  }) as Finding;

const lora = (adapter_id: string, base_model = 'llama-3-8b'): CandidateSpec => ({
  type: 'lora',
  adapter_id,
  base_model,
  source: `s3://adapters/${adapter_id}`,
});

const TRAINED = new Map([['ft-1', { trainingRequestId: 'req-1', datasetId: 'ds-1' }]]);

function agent(overrides: Partial<AgentPlanningState> = {}): AgentPlanningState {
  return {
    agentId: 'alpha',
    environment: 'dev',
    stableRevisionId: 'rev_alpha',
    stable: agentConfigSchema.parse({ model: 'llama-3-8b', prompt: { version: 'v1', template: 'You are helpful.' } }),
    activeRolloutId: null,
    candidates: [],
    recentlyRefused: new Set(),
    ...overrides,
  };
}

const picked = (f: Finding, a: AgentPlanningState) => {
  const proposal = proposalFor(f, a);
  return 'mutation' in proposal
    ? { type: proposal.mutation.type, params: proposal.mutation.params, rationale: proposal.mutation.rationale }
    : { reason: proposal.reason };
};

describe('trained candidates in the planner', () => {
  it('a retrain finding attaches the trained adapter over a newer hand-registered one, citing request and dataset', () => {
    const result = picked(
      finding('retrain_trigger'),
      agent({ candidates: [lora('ft-1'), lora('hand-2')], trained: TRAINED }),
    );
    expect(result).toEqual({
      type: 'LORA_APPLY',
      params: { action: 'attach', adapter_id: 'ft-1' },
      rationale: expect.stringContaining('trained for training request req-1 on dataset ds-1'),
    });
  });

  it('without a trained adapter the newest registered one is attached, as before', () => {
    expect(picked(finding('retrain_trigger'), agent({ candidates: [lora('a'), lora('b')] }))).toMatchObject({
      params: { action: 'attach', adapter_id: 'b' },
      rationale: expect.stringContaining('registered LoRA adapter b'),
    });
  });

  it('without any adapter the retrain finding says the trainer was asked', () => {
    expect(picked(finding('retrain_trigger'), agent())).toEqual({
      reason: expect.stringContaining('a training request goes to the trainer'),
    });
  });

  it.each([
    ['a dissatisfaction finding', finding('dissatisfaction', { metric: 'rating' })],
    ['a success-rate drop', finding('performance_degradation')],
  ])('%s tries the trained adapter first', (_, f) => {
    const candidates: CandidateSpec[] = [lora('ft-1'), { type: 'prompt', version: 'v2', template: 'Prompt v2' }];
    expect(picked(f, agent({ candidates, trained: TRAINED }))).toMatchObject({
      type: 'LORA_APPLY',
      params: { action: 'attach', adapter_id: 'ft-1' },
    });
    // Not for another base model, nor once refused: the prompt candidate then.
    expect(picked(f, agent({ candidates: [lora('ft-1', 'other'), candidates[1]!], trained: TRAINED }))).toMatchObject({
      type: 'PROMPT_PATCH',
    });
    expect(picked(f, agent({ candidates, trained: TRAINED, recentlyRefused: new Set(['ft-1']) }))).toMatchObject({
      type: 'PROMPT_PATCH',
    });
  });
});
