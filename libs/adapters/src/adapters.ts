import type { MutationType } from '@metaloop/contracts';
import type { MutationAdapter } from './adapter';
import { defineAdapter } from './define-adapter';
import { EffectExecutor } from './effect-executor';
import { loraApply } from './lora-apply.adapter';
import { LoraServer, type LoraServerOptions } from './lora-server';
import { memoryUpdate } from './memory-update.adapter';
import { modelSwap } from './model-swap.adapter';
import { paramSet } from './param-set.adapter';
import { promptPatch } from './prompt-patch.adapter';
import { routeChange } from './route-change.adapter';
import { RouterWebhook, type RouterWebhookOptions } from './router-webhook';

/** Side-effect endpoints; without one, the adapters plan and make no call of that kind. */
export interface AdapterOptions {
  lora?: LoraServerOptions;
  router?: RouterWebhookOptions;
}

export type AdapterSet = { readonly [T in MutationType]: MutationAdapter<T> };

/** One adapter per mutation type, sharing the configured endpoints; an app gets its one set from AdaptersModule. */
export function createAdapters(options: AdapterOptions = {}): AdapterSet {
  const lora = options.lora && new LoraServer(options.lora);
  const router = options.router && new RouterWebhook(options.router);
  const executor = new EffectExecutor({ lora, router });
  const available = { lora: lora !== undefined, router: router !== undefined };
  return {
    PROMPT_PATCH: defineAdapter(promptPatch, executor, available),
    MODEL_SWAP: defineAdapter(modelSwap, executor, available),
    LORA_APPLY: defineAdapter(loraApply, executor, available),
    ROUTE_CHANGE: defineAdapter(routeChange, executor, available),
    PARAM_SET: defineAdapter(paramSet, executor, available),
    MEMORY_UPDATE: defineAdapter(memoryUpdate, executor, available),
  };
}
