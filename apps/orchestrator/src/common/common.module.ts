import { Module } from '@nestjs/common';
import { ControlModule, RollbackModule } from '@metaloop/control';
import { RegistryModule } from '@metaloop/registry';
import { adaptersProvider } from '../adapters/adapters.provider';
import { OrchestratorMetrics } from '../metrics/orchestrator.metrics';
import { QueuesModule } from '../queues/queues.module';
import { AdapterContexts } from './adapter-contexts';

const shared = [QueuesModule, ControlModule, RollbackModule, RegistryModule];

/**
 * What every feature of the orchestrator works with: the queues,
 * the control plane (audit, freeze, budget, rollback), the registry, the configured adapters,
 * their contexts and the metrics.
 */
@Module({
  imports: shared,
  providers: [adaptersProvider, AdapterContexts, OrchestratorMetrics],
  exports: [...shared, adaptersProvider, AdapterContexts, OrchestratorMetrics],
})
export class CommonModule {}
