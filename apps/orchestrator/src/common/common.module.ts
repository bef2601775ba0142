import { Module } from '@nestjs/common';
import { ControlModule, RollbackModule } from '@metaloop/control';
import { ConfigService } from '@nestjs/config';
import { PoliciesModule, policyStoreOptionsFromEnv } from '@metaloop/policies';
import { RegistryModule } from '@metaloop/registry';
import { adaptersProvider } from '../adapters/adapters.provider';
import { OrchestratorMetrics } from '../metrics/orchestrator.metrics';
import { QueuesModule } from '../queues/queues.module';
import { AdapterContexts } from './adapter-contexts';

const shared = [QueuesModule, ControlModule, RollbackModule, RegistryModule];

/**
 * What every feature of the orchestrator works with: the policy store (global), the queues,
 * the control plane (audit, freeze, budget, rollback), the registry, the configured adapters,
 * their contexts and the metrics.
 */
@Module({
  imports: [
    PoliciesModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => policyStoreOptionsFromEnv((name) => config.get(name)),
    }),
    ...shared,
  ],
  providers: [adaptersProvider, AdapterContexts, OrchestratorMetrics],
  exports: [...shared, adaptersProvider, AdapterContexts, OrchestratorMetrics],
})
export class CommonModule {}
