import { agentConfigSchema } from '@metaloop/contracts';
import { introducedKeys, proposedKeys } from './refused-candidates';

const config = (fields: object = {}) =>
  agentConfigSchema.parse({ model: 'gpt-4o', prompt: { version: 'v1', template: 'Be helpful.' }, ...fields });

describe('refusal keys', () => {
  it('names what a candidate config introduces: prompt version, model, new adapters, dynamic examples', () => {
    const stable = config({ lora: ['a'] });
    const candidate = config({
      model: 'gpt-4o-mini',
      prompt: { version: 'v2', template: 'x' },
      lora: ['a', 'b'],
      dynamic_examples: { k: 4 },
    });
    expect(introducedKeys(stable, candidate)).toEqual(['v2', 'gpt-4o-mini', 'b', 'dynamic_examples:k=4']);
  });

  it('keys dynamic examples by k: a retune is a new key, the same k is none', () => {
    const stable = config({ dynamic_examples: { k: 4 } });
    expect(introducedKeys(stable, config({ dynamic_examples: { k: 6 } }))).toEqual(['dynamic_examples:k=6']);
    expect(introducedKeys(stable, config({ dynamic_examples: { k: 4, min_similarity: 0.5 } }))).toEqual([]);
    expect(introducedKeys(stable, config())).toEqual([]);
  });

  it('keys a rejected MEMORY_UPDATE that turned dynamic examples on as its rollback would be keyed', () => {
    const mutation = { type: 'MEMORY_UPDATE', agent_id: 'alpha', params: { dynamic_examples: { k: 4 } } };
    expect(proposedKeys(mutation, 'v1')).toEqual(['dynamic_examples:k=4']);
    expect(proposedKeys({ ...mutation, params: { dynamic_examples: null } }, 'v1')).toEqual([]);
    expect(proposedKeys({ ...mutation, params: { facts: { add: [{ id: 'f', text: 'x' }] } } }, 'v1')).toEqual([]);
  });
});
