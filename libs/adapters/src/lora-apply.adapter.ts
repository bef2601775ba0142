import { requireCandidate } from './candidates';
import type { AdapterDefinition } from './define-adapter';
import { AdapterError } from './errors';
import type { PlannedEffect } from './side-effects';

/**
 * Attach or detach a registered LoRA adapter. With a LoRA server configured, attach loads it at
 * apply (the canary needs it); detach unloads it only at promote, as the stable arm serves with it
 * until then.
 */
export const loraApply: AdapterDefinition<'LORA_APPLY'> = {
  type: 'LORA_APPLY',
  derive(ctx, { action, adapter_id }, endpoints) {
    const { parent } = ctx;
    const adapter = requireCandidate(ctx, 'lora', adapter_id, 'params.adapter_id');
    const attached = parent.lora.includes(adapter_id);
    if (action === 'attach' && attached)
      throw new AdapterError('no_change', `LoRA adapter ${adapter_id} is already attached`, 'params.adapter_id');
    if (action === 'detach' && !attached)
      throw new AdapterError('unknown_id', `LoRA adapter ${adapter_id} is not attached`, 'params.adapter_id');
    if (action === 'attach' && adapter.base_model !== parent.model) {
      throw new AdapterError(
        'incompatible',
        `LoRA adapter ${adapter_id} is for ${adapter.base_model}, the agent runs ${parent.model}`,
        'params.adapter_id',
      );
    }
    const lora = action === 'attach' ? [...parent.lora, adapter_id] : parent.lora.filter((id) => id !== adapter_id);
    const target = { lora_name: adapter_id, lora_path: adapter.source };
    const effect: PlannedEffect =
      action === 'attach'
        ? { phase: 'apply', effect: { kind: 'lora_load', ...target } }
        : { phase: 'promote', effect: { kind: 'lora_unload', ...target } };
    return {
      config: { ...parent, lora },
      summary: { action, adapter_id, base_model: adapter.base_model, lora: { before: parent.lora, after: lora } },
      side_effects: endpoints.lora ? [effect] : [],
    };
  },
};
