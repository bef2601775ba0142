import { Module } from '@nestjs/common';
import { AgentConfigModule } from './agent-config/agent-config.module';
import { ExamplesModule } from './examples/examples.module';
import { FeedbackModule } from './feedback/feedback.module';
import { SubjectsModule } from './subjects/subjects.module';

@Module({
  imports: [FeedbackModule, AgentConfigModule, ExamplesModule, SubjectsModule],
})
export class AppModule {}
