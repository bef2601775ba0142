import { Module } from '@nestjs/common';
import { PoliciesModule } from '@metaloop/policies';
import { AgentConfigModule } from './agent-config/agent-config.module';
import { ExamplesModule } from './examples/examples.module';
import { FeedbackModule } from './feedback/feedback.module';
import { SubjectsModule } from './subjects/subjects.module';

@Module({
  // The policy (POLICIES_PATH, the same file as oracle-api's): the subject context's ranking reads memory.half_life_days.
  imports: [PoliciesModule.fromEnv(), FeedbackModule, AgentConfigModule, ExamplesModule, SubjectsModule],
})
export class AppModule {}
