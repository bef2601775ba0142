import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { AnalysisModule } from './analysis/analysis.module';
import { AgentsModule } from './agents/agents.module';
import { AuditModule } from './audit/audit.module';
import { envSchema } from './config/env.schema';
import { OperatorControlModule } from './control/control.module';
import { ExecutionModule } from './execution/execution.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { FindingsModule } from './findings/findings.module';
import { IngestModule } from './ingest/ingest.module';
import { MetricDefinitionsModule } from './metric-definitions/metric-definitions.module';
import { PlanningModule } from './planning/planning.module';
import { PlansModule } from './plans/plans.module';
import { PoliciesApiModule } from './policies/policies.module';
import { QueuesModule } from './queues/queues.module';
import { RetentionModule } from './retention/retention.module';
import { RolloutsModule } from './rollouts/rollouts.module';
import { StatusModule } from './status/status.module';
import { TickModule } from './tick/tick.module';
import { ValidationModule } from './validation/validation.module';

@Module({
  imports: [
    PlatformModule.forRoot({
      app: 'oracle-api',
      envSchema,
      uses: { postgres: true, nats: { ensureStreams: true }, redis: true },
    }),
    QueuesModule,
    AgentsModule,
    IngestModule,
    DeadLettersModule,
    MetricDefinitionsModule,
    RetentionModule,
    PoliciesApiModule,
    FindingsModule,
    AnalysisModule,
    PlanningModule,
    PlansModule,
    ValidationModule,
    ExecutionModule,
    TickModule,
    RolloutsModule,
    OperatorControlModule,
    AuditModule,
    StatusModule,
  ],
})
export class AppModule {}
