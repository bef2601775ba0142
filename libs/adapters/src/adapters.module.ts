import { ConfigurableModuleBuilder, Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createAdapters, type AdapterOptions } from './adapters';
import { adapterOptionsFromEnv } from './adapters.env';

/** Injection token of the app's one `AdapterSet`: `@Inject(ADAPTER_SET) adapters: AdapterSet`. */
export const ADAPTER_SET = Symbol('ADAPTER_SET');

const { ConfigurableModuleClass: ConfigurableAdaptersModule, MODULE_OPTIONS_TOKEN: ADAPTER_OPTIONS } =
  new ConfigurableModuleBuilder<AdapterOptions>().setClassMethodName('forRoot').build();

/**
 * The app's adapters as a provider (`ADAPTER_SET`), built once from its options. An app registers
 * it once, in its root module: `AdaptersModule.fromEnv()`, so what oracle-api's gates dry-run and
 * what the orchestrator executes are built by the same factory from the same variables.
 */
@Global()
@Module({
  providers: [
    {
      provide: ADAPTER_SET,
      inject: [ADAPTER_OPTIONS],
      useFactory: (options: AdapterOptions) => createAdapters(options),
    },
  ],
  exports: [ADAPTER_SET],
})
export class AdaptersModule extends ConfigurableAdaptersModule {
  /** The adapters configured from the app's validated env (`adaptersEnv`). */
  static fromEnv(): DynamicModule {
    return AdaptersModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => adapterOptionsFromEnv((name) => config.get(name)),
    });
  }
}
