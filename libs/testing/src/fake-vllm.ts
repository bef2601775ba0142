import { json, startFakeServer, type FakeServer } from './fake-server';

export interface FakeVllm extends FakeServer {
  /** Loaded LoRA adapters: name → path. */
  loaded: Map<string, string>;
}

/** The LoRA runtime-update part of vLLM's OpenAI-compatible server, answering as vLLM does. */
export async function startFakeVllm(baseModel: string, apiKey?: string): Promise<FakeVllm> {
  const loaded = new Map<string, string>();
  const server = await startFakeServer((request, response) => {
    if (apiKey && request.headers.authorization !== `Bearer ${apiKey}`)
      return json(response, 401, { error: 'unauthorized' });
    const body = request.body ? (JSON.parse(request.body) as { lora_name: string; lora_path?: string }) : undefined;
    if (request.method === 'GET' && request.path === '/v1/models') {
      return json(response, 200, {
        object: 'list',
        data: [baseModel, ...loaded.keys()].map((id) => ({ id, object: 'model' })),
      });
    }
    if (request.path === '/v1/load_lora_adapter' && body?.lora_path) {
      if (loaded.has(body.lora_name))
        return json(response, 400, { message: `The lora adapter '${body.lora_name}' has already been loaded.` });
      loaded.set(body.lora_name, body.lora_path);
      return void response.end(`Success: LoRA adapter '${body.lora_name}' added successfully.`);
    }
    if (request.path === '/v1/unload_lora_adapter' && body) {
      if (!loaded.delete(body.lora_name))
        return json(response, 404, { message: `The lora adapter '${body.lora_name}' cannot be found.` });
      return void response.end(`Success: LoRA adapter '${body.lora_name}' removed successfully.`);
    }
    json(response, 400, { message: 'bad request' });
  });
  return Object.assign(server, { loaded });
}
