import type { AdapterContext, EffectCheck } from './adapter';
import { AdapterError } from './errors';
import type { LoraServer } from './lora-server';
import type { RouterWebhook } from './router-webhook';
import { effectTarget, type EffectRecord, type SideEffect } from './side-effects';

/** The configured endpoints; an effect whose endpoint is missing fails as `not_configured`. */
export interface Endpoints {
  lora?: LoraServer;
  router?: RouterWebhook;
}

/** Makes, undoes and checks one side effect against the configured endpoints. */
export class EffectExecutor {
  constructor(private readonly endpoints: Endpoints) {}

  async perform(ctx: AdapterContext, effect: SideEffect): Promise<void> {
    switch (effect.kind) {
      case 'lora_load':
        return this.lora(effect).load(effect.lora_name, effect.lora_path);
      case 'lora_unload':
        return this.lora(effect).unload(effect.lora_name);
      case 'router_weights':
        return this.deliver(ctx, effect, 'apply', effect.weights);
    }
  }

  async undo(ctx: AdapterContext, effect: SideEffect): Promise<void> {
    switch (effect.kind) {
      case 'lora_load':
        return this.lora(effect).unload(effect.lora_name);
      case 'lora_unload':
        return this.lora(effect).load(effect.lora_name, effect.lora_path);
      case 'router_weights':
        return this.deliver(ctx, effect, 'revert', effect.previous_weights);
    }
  }

  async check(record: EffectRecord): Promise<EffectCheck> {
    const { effect } = record;
    const result = (ok: boolean, detail: string): EffectCheck => ({
      kind: effect.kind,
      target: effectTarget(effect),
      ok,
      detail,
    });
    if (record.status !== 'done') return result(false, 'the call was started but not confirmed');
    if (effect.kind === 'router_weights') return result(true, 'the router acknowledged the weights');
    const server = this.lora(effect);
    let listed: boolean;
    try {
      listed = (await server.models()).includes(effect.lora_name);
    } catch (error) {
      return result(
        false,
        `the server's models could not be listed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return effect.kind === 'lora_load'
      ? result(listed, listed ? 'the server lists the adapter' : 'the server does not list the adapter')
      : result(!listed, listed ? 'the server still lists the adapter' : 'the server no longer lists the adapter');
  }

  private lora(effect: SideEffect): LoraServer {
    if (!this.endpoints.lora)
      throw new AdapterError('not_configured', `${effect.kind} needs a LoRA server, and none is configured`);
    return this.endpoints.lora;
  }

  private deliver(
    ctx: AdapterContext,
    effect: SideEffect,
    phase: 'apply' | 'revert',
    weights: Record<string, number>,
  ): Promise<void> {
    if (!this.endpoints.router)
      throw new AdapterError('not_configured', `${effect.kind} needs a router webhook, and none is configured`);
    return this.endpoints.router.deliver({
      agent_id: ctx.agentId,
      environment: ctx.environment,
      operation_id: ctx.operationId,
      phase,
      weights,
    });
  }
}
