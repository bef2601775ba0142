import { z } from 'zod';
import { adapterOptionsFromEnv, adaptersEnv, checkAdaptersEnv } from './adapters.env';

const schema = z.object(adaptersEnv).superRefine(checkAdaptersEnv);
const optionsOf = (raw: Record<string, string>) => {
  const env = schema.parse(raw);
  return adapterOptionsFromEnv((name) => env[name]);
};

describe('adaptersEnv', () => {
  it('configures no endpoint by default: the adapters change config only', () => {
    expect(optionsOf({})).toEqual({});
    expect(optionsOf({ LORA_SERVER_URL: '', ROUTER_WEBHOOK_URL: '' })).toEqual({});
  });

  it('gives every endpoint the same retry settings, 5000 ms / 3 / 250 ms unless set', () => {
    expect(
      optionsOf({
        LORA_SERVER_URL: 'http://vllm:8000',
        ROUTER_WEBHOOK_URL: 'https://router.example.com/hooks',
        ROUTER_WEBHOOK_SECRET: 's3cret',
      }),
    ).toEqual({
      lora: { baseUrl: 'http://vllm:8000', apiKey: undefined, timeoutMs: 5_000, retries: 3, backoffMs: 250 },
      router: {
        webhookUrl: 'https://router.example.com/hooks',
        secret: 's3cret',
        timeoutMs: 5_000,
        retries: 3,
        backoffMs: 250,
      },
    });
    expect(
      optionsOf({
        LORA_SERVER_URL: 'http://vllm:8000',
        LORA_SERVER_API_KEY: 'key',
        SIDE_EFFECT_TIMEOUT_MS: '500',
        SIDE_EFFECT_RETRIES: '0',
        SIDE_EFFECT_BACKOFF_MS: '5',
      }),
    ).toEqual({
      lora: { baseUrl: 'http://vllm:8000', apiKey: 'key', timeoutMs: 500, retries: 0, backoffMs: 5 },
    });
  });

  it('refuses a router webhook without its signing secret, and endpoints that are not http(s)', () => {
    expect(() => schema.parse({ ROUTER_WEBHOOK_URL: 'https://router.example.com/hooks' })).toThrow(
      /required with ROUTER_WEBHOOK_URL/,
    );
    expect(() => schema.parse({ LORA_SERVER_URL: 'ftp://vllm' })).toThrow();
    expect(() => schema.parse({ SIDE_EFFECT_RETRIES: '11' })).toThrow();
  });
});
