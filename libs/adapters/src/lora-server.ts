import { httpWithRetry, retryPolicy, type RetryPolicy } from './http';

/** A vLLM-compatible server with runtime LoRA updating (`VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`). */
export interface LoraServerOptions extends Partial<RetryPolicy> {
  baseUrl: string;
  apiKey?: string;
}

// vLLM answers a repeated load with 400 "... has already been loaded." and an unload of an unknown
// name with 404 "... cannot be found."; both mean the wanted state holds, so retries stay idempotent.
const alreadyLoaded = (status: number, text: string) =>
  status >= 400 && status < 500 && /already (been )?loaded|already exists/i.test(text);
const notLoaded = (status: number, text: string) =>
  status === 404 || (status >= 400 && status < 500 && /cannot be found|not found/i.test(text));

export class LoraServer {
  private readonly policy: RetryPolicy;
  private readonly baseUrl: string;

  constructor(private readonly options: LoraServerOptions) {
    this.policy = retryPolicy(options);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async load(loraName: string, loraPath: string): Promise<void> {
    await this.post('/v1/load_lora_adapter', { lora_name: loraName, lora_path: loraPath }, alreadyLoaded);
  }

  async unload(loraName: string): Promise<void> {
    await this.post('/v1/unload_lora_adapter', { lora_name: loraName }, notLoaded);
  }

  /** Ids the server serves: its base model and every loaded LoRA adapter. */
  async models(): Promise<string[]> {
    const answer = await httpWithRetry(
      { method: 'GET', url: `${this.baseUrl}/v1/models`, headers: () => this.auth() },
      this.policy,
    );
    const listed = JSON.parse(answer.text) as { data?: Array<{ id?: unknown }> };
    return (listed.data ?? []).map((model) => model.id).filter((id): id is string => typeof id === 'string');
  }

  private async post(path: string, body: object, accept: (status: number, text: string) => boolean): Promise<void> {
    await httpWithRetry(
      { method: 'POST', url: `${this.baseUrl}${path}`, body: JSON.stringify(body), headers: () => this.auth(), accept },
      this.policy,
    );
  }

  private auth(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }
}
