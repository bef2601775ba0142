import { Module } from '@nestjs/common';
import { AgentConfigModule } from './agent-config/agent-config.module';
import { ExamplesModule } from './examples/examples.module';
import { FeedbackModule } from './feedback/feedback.module';

@Module({
  imports: [FeedbackModule, AgentConfigModule, ExamplesModule],
})
export class AppModule {}
