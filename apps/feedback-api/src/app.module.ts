import { Module } from '@nestjs/common';
import { AgentConfigModule } from './agent-config/agent-config.module';
import { FeedbackModule } from './feedback/feedback.module';

@Module({
  imports: [FeedbackModule, AgentConfigModule],
})
export class AppModule {}
