import { Module } from '@nestjs/common';
import { RegistryModule } from '@metaloop/registry';
import { ExampleStoreModule } from '../examples/example-store.module';
import { SubjectMemoryModule } from '../subjects/subject-memory.module';
import { AgentConfigController } from './agent-config.controller';
import { AgentConfigMetrics } from './agent-config.metrics';
import { AgentFeedbackMetrics } from './agent-feedback.metrics';
import { ConfigChangedListener } from './config-changed.listener';
import { LiveConfigCache } from './live-config.cache';

/** Live agent config with sticky canary arms, served from memory and kept fresh by config.changed. */
@Module({
  imports: [RegistryModule, ExampleStoreModule, SubjectMemoryModule],
  controllers: [AgentConfigController, ConfigChangedListener],
  providers: [LiveConfigCache, AgentConfigMetrics, AgentFeedbackMetrics],
  exports: [LiveConfigCache, AgentFeedbackMetrics],
})
export class AgentConfigModule {}
