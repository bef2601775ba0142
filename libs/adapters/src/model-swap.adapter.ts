import { registered, requireCandidate } from './candidates';
import type { AdapterDefinition } from './define-adapter';
import { AdapterError } from './errors';

/** Another registered model; refused while a LoRA adapter for the current base model is attached. */
export const modelSwap: AdapterDefinition<'MODEL_SWAP'> = {
  type: 'MODEL_SWAP',
  derive(ctx, { model }) {
    const { parent } = ctx;
    if (model === parent.model)
      throw new AdapterError('no_change', `${model} is already the agent's model`, 'params.model');
    const target = requireCandidate(ctx, 'model', model, 'params.model');
    const stranded = parent.lora.flatMap((id) => {
      const adapter = registered(ctx, 'lora', id);
      return adapter && adapter.base_model !== model ? [`${id} (base model ${adapter.base_model})`] : [];
    });
    if (stranded.length > 0) {
      throw new AdapterError(
        'incompatible',
        `attached LoRA adapters are for another base model than ${model}: ${stranded.join(', ')}; detach them first`,
        'params.model',
      );
    }
    const current = registered(ctx, 'model', parent.model);
    return {
      config: { ...parent, model },
      summary: {
        model: { before: parent.model, after: model },
        provider: target.provider,
        cost_per_1k_in: { before: current?.cost_per_1k_in ?? null, after: target.cost_per_1k_in },
        cost_per_1k_out: { before: current?.cost_per_1k_out ?? null, after: target.cost_per_1k_out },
      },
    };
  },
};
