import { ConfigurableModuleBuilder, Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { policyStoreOptionsFromEnv } from './policies.env';
import { PolicyStore, type PolicyStoreOptions } from './loading/policy-store';

const { ConfigurableModuleClass: ConfigurablePoliciesModule, MODULE_OPTIONS_TOKEN: POLICIES_OPTIONS } =
  new ConfigurableModuleBuilder<Omit<PolicyStoreOptions, 'logger'>>().setClassMethodName('forRoot').build();

/**
 * The effective policy as a provider (`PolicyStore`): loaded at start (an unusable file stops
 * the app, naming the file and the field), hot-reloaded while the app runs, watchers closed at
 * shutdown. An app registers it once, in its root module: `PoliciesModule.fromEnv()`.
 */
@Global()
@Module({
  providers: [
    {
      provide: PolicyStore,
      inject: [POLICIES_OPTIONS],
      useFactory: (options: PolicyStoreOptions) => new PolicyStore({ ...options, logger: new Logger('Policies') }),
    },
  ],
  exports: [PolicyStore],
})
export class PoliciesModule extends ConfigurablePoliciesModule {
  /** The store configured from the app's validated env (POLICIES_PATH and the overrides). */
  static fromEnv(): DynamicModule {
    return PoliciesModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => policyStoreOptionsFromEnv((name) => config.get(name)),
    });
  }
}
