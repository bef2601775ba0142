import { int } from '@metaloop/config';
import { z } from 'zod';
import type { AdapterOptions } from './adapters';

/** An unset or empty variable is no endpoint. */
const optionalUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^https?$/ }).optional(),
);
const optionalSecret = z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional());

/**
 * Env of apps that build the adapters (the orchestrator executes with them, oracle-api's gates
 * dry-run them): the side-effect endpoints and how calls to them are retried. Both apps spread
 * this into their schema, so the same variables give both the same adapters.
 */
export const adaptersEnv = {
  /** A vLLM-compatible server for LORA_APPLY (runtime LoRA updating on); unset: LoRA mutations change config only. */
  LORA_SERVER_URL: optionalUrl,
  LORA_SERVER_API_KEY: optionalSecret,
  /** The user's router, told of ROUTE_CHANGE weights at promotion (signed webhook); unset: config only. */
  ROUTER_WEBHOOK_URL: optionalUrl,
  /** HMAC-SHA256 key of the router webhook's signature; required with ROUTER_WEBHOOK_URL (checkAdaptersEnv). */
  ROUTER_WEBHOOK_SECRET: optionalSecret,
  /** Timeout of one side-effect call, its retries and the first backoff (doubled each retry). */
  SIDE_EFFECT_TIMEOUT_MS: int(100, 120_000, 5_000),
  SIDE_EFFECT_RETRIES: int(0, 10, 3),
  SIDE_EFFECT_BACKOFF_MS: int(1, 60_000, 250),
};

export type AdaptersEnv = z.output<z.ZodObject<typeof adaptersEnv>>;

/** For the app schema's `superRefine`: the webhook is signed, so its URL needs the secret. */
export function checkAdaptersEnv(
  env: Pick<AdaptersEnv, 'ROUTER_WEBHOOK_URL' | 'ROUTER_WEBHOOK_SECRET'>,
  ctx: z.RefinementCtx,
): void {
  if (env.ROUTER_WEBHOOK_URL && !env.ROUTER_WEBHOOK_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['ROUTER_WEBHOOK_SECRET'],
      message: 'required with ROUTER_WEBHOOK_URL (the webhook is signed)',
    });
  }
}

/**
 * The adapters' options from the app's validated env, read by name (e.g. `(name) => config.get(name)`
 * with Nest's ConfigService): the values are what `adaptersEnv` and `checkAdaptersEnv` passed.
 */
export function adapterOptionsFromEnv(read: (name: keyof AdaptersEnv) => unknown): AdapterOptions {
  const env = Object.fromEntries(
    Object.keys(adaptersEnv).map((name) => [name, read(name as keyof AdaptersEnv)]),
  ) as AdaptersEnv;
  const retry = {
    timeoutMs: env.SIDE_EFFECT_TIMEOUT_MS,
    retries: env.SIDE_EFFECT_RETRIES,
    backoffMs: env.SIDE_EFFECT_BACKOFF_MS,
  };
  return {
    ...(env.LORA_SERVER_URL && { lora: { baseUrl: env.LORA_SERVER_URL, apiKey: env.LORA_SERVER_API_KEY, ...retry } }),
    ...(env.ROUTER_WEBHOOK_URL && {
      router: { webhookUrl: env.ROUTER_WEBHOOK_URL, secret: env.ROUTER_WEBHOOK_SECRET!, ...retry },
    }),
  };
}
