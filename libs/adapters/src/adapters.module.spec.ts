import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { context } from './__tests__/fixtures';
import type { AdapterSet } from './adapters';
import { ADAPTER_SET, AdaptersModule } from './adapters.module';

/** Stand-ins for oracle-api's gate-state reader (dry prepare) and the orchestrator's launcher (apply). */
@Injectable()
class GateState {
  constructor(@Inject(ADAPTER_SET) readonly adapters: AdapterSet) {}
}
@Injectable()
class Launcher {
  constructor(@Inject(ADAPTER_SET) readonly adapters: AdapterSet) {}
}
/** Feature modules that do not import AdaptersModule: the set is global, registered once at the root. */
@Module({ providers: [GateState], exports: [GateState] })
class ValidationModule {}
@Module({ providers: [Launcher], exports: [Launcher] })
class LaunchModule {}

/** The app's validated env as ConfigService serves it (and nothing from process.env). */
const configFrom = (env: Record<string, unknown>) =>
  ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, load: [() => env] });

const ENV = {
  LORA_SERVER_URL: 'http://vllm.internal:8000',
  SIDE_EFFECT_TIMEOUT_MS: 5_000,
  SIDE_EFFECT_RETRIES: 3,
  SIDE_EFFECT_BACKOFF_MS: 250,
};

describe('AdaptersModule', () => {
  it('builds one set from the env, and every part of the app gets that set', async () => {
    const app = await Test.createTestingModule({
      imports: [configFrom(ENV), AdaptersModule.fromEnv(), ValidationModule, LaunchModule],
    }).compile();
    const dryRun = app.get(GateState).adapters;
    expect(app.get(Launcher).adapters).toBe(dryRun);
    expect(app.get(ADAPTER_SET)).toBe(dryRun);
    // The LoRA endpoint is configured: prepare plans the load, as the execution will make it.
    expect(dryRun.LORA_APPLY.prepare(context(), { action: 'attach', adapter_id: 'tone-v2' }).side_effects).toEqual([
      { phase: 'apply', effect: { kind: 'lora_load', lora_name: 'tone-v2', lora_path: '/adapters/tone-v2' } },
    ]);
    await app.close();
  });

  it('plans no side effect where the env configures no endpoint', async () => {
    const app = await Test.createTestingModule({
      imports: [configFrom({ ...ENV, LORA_SERVER_URL: undefined }), AdaptersModule.fromEnv(), ValidationModule],
    }).compile();
    expect(
      app.get(GateState).adapters.LORA_APPLY.prepare(context(), { action: 'attach', adapter_id: 'tone-v2' })
        .side_effects,
    ).toEqual([]);
    await app.close();
  });

  it('takes options directly as well', async () => {
    const app = await Test.createTestingModule({
      imports: [
        AdaptersModule.forRoot({ router: { webhookUrl: 'http://router.internal/hook', secret: 's' } }),
        LaunchModule,
      ],
    }).compile();
    const prepared = app
      .get(Launcher)
      .adapters.ROUTE_CHANGE.prepare(context(), { weights: { 'eu-1': 70, 'us-1': 30 } });
    expect(prepared.side_effects).toEqual([
      { phase: 'promote', effect: expect.objectContaining({ kind: 'router_weights' }) },
    ]);
    await app.close();
  });
});
