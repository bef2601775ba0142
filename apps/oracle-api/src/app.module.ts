import { Module } from '@nestjs/common';
import { AdaptersModule } from '@metaloop/adapters';
import { PoliciesModule } from '@metaloop/policies';
import { AnalysisModule } from './loop/analysis/analysis.module';
import { AgentsModule } from './operator/agents/agents.module';
import { AuditModule } from './operator/audit/audit.module';
import { ConsoleModule } from './operator/console/console.module';
import { OperatorControlModule } from './operator/control/control.module';
import { HandoffModule } from './loop/handoff/handoff.module';
import { DatasetsModule } from './operator/datasets/datasets.module';
import { DeadLettersModule } from './operator/dead-letters/dead-letters.module';
import { FindingsModule } from './loop/findings/findings.module';
import { IngestModule } from './loop/ingest/ingest.module';
import { MetricDefinitionsModule } from './operator/metric-definitions/metric-definitions.module';
import { PlanningModule } from './loop/planning/planning.module';
import { PlansModule } from './loop/plans/plans.module';
import { PoliciesApiModule } from './operator/policies/policies.module';
import { PatternsModule } from './insights/patterns/patterns.module';
import { QueuesModule } from './queues/queues.module';
import { ReportsModule } from './insights/reports/reports.module';
import { RetentionModule } from './housekeeping/retention/retention.module';
import { RolloutsModule } from './operator/rollouts/rollouts.module';
import { StatusModule } from './operator/status/status.module';
import { SubjectsModule } from './operator/subjects/subjects.module';
import { SuggestionsModule } from './insights/suggestions/suggestions.module';
import { TickModule } from './loop/tick/tick.module';
import { ValidationModule } from './loop/validation/validation.module';

@Module({
  imports: [
    PoliciesModule.fromEnv(),
    AdaptersModule.fromEnv(),
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
    HandoffModule,
    TickModule,
    RolloutsModule,
    OperatorControlModule,
    AuditModule,
    StatusModule,
    DatasetsModule,
    SubjectsModule,
    PatternsModule,
    ReportsModule,
    SuggestionsModule,
    ConsoleModule,
  ],
})
export class AppModule {}
