export type { AdapterContext, EffectCheck, MutationAdapter, Prepared } from './adapter';
export { createAdapters, type AdapterSet } from './adapters';
export { adapterOptionsFromEnv, adaptersEnv, checkAdaptersEnv } from './adapters.env';
export { ADAPTER_SET, AdaptersModule } from './adapters.module';
export { AdapterError } from './errors';
export { adapterStateSchema, type AdapterState, type PlannedEffect } from './side-effects';
export { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './webhook-signature';
