import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { AgentConfigModule } from './agent-config/agent-config.module';
import { envSchema } from './config/env.schema';
import { FeedbackModule } from './feedback/feedback.module';

@Module({
  imports: [
    PlatformModule.forRoot({
      app: 'feedback-api',
      envSchema,
      uses: { postgres: true, nats: { ensureStreams: true }, redis: true },
    }),
    FeedbackModule,
    AgentConfigModule,
  ],
})
export class AppModule {}
