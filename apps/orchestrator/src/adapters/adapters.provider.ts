import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createAdapters, type AdapterSet } from '@metaloop/adapters';
import type { Env } from '../config/env.schema';

/** The adapters with the side-effect endpoints the environment configures. */
export const ADAPTER_SET = Symbol('ADAPTER_SET');

export const adaptersProvider: Provider<AdapterSet> = {
  provide: ADAPTER_SET,
  inject: [ConfigService],
  useFactory: (config: ConfigService<Env, true>) => {
    const retry = {
      timeoutMs: config.get('SIDE_EFFECT_TIMEOUT_MS', { infer: true }),
      retries: config.get('SIDE_EFFECT_RETRIES', { infer: true }),
      backoffMs: config.get('SIDE_EFFECT_BACKOFF_MS', { infer: true }),
    };
    const loraUrl = config.get('LORA_SERVER_URL', { infer: true });
    const routerUrl = config.get('ROUTER_WEBHOOK_URL', { infer: true });
    return createAdapters({
      ...(loraUrl && { lora: { baseUrl: loraUrl, apiKey: config.get('LORA_SERVER_API_KEY', { infer: true }), ...retry } }),
      ...(routerUrl && { router: { webhookUrl: routerUrl, secret: config.get('ROUTER_WEBHOOK_SECRET', { infer: true })!, ...retry } }),
    });
  },
};
