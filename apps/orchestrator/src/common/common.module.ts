import { Module } from '@nestjs/common';
import { ControlModule, RollbackModule } from '@metaloop/control';
import { RegistryModule } from '@metaloop/registry';
import { OrchestratorMetrics } from '../metrics/orchestrator.metrics';
import { QueuesModule } from '../queues/queues.module';
import { AdapterContexts } from './adapter-contexts';

const shared = [QueuesModule, ControlModule, RollbackModule, RegistryModule];

/**
 * What every feature of the orchestrator works with: the queues,
 * the control plane (audit, freeze, budget, rollback), the registry, the adapters' contexts
 * (the adapters themselves are global: AdaptersModule in the root) and the metrics.
 */
@Module({
  imports: shared,
  providers: [AdapterContexts, OrchestratorMetrics],
  exports: [...shared, AdapterContexts, OrchestratorMetrics],
})
export class CommonModule {}
