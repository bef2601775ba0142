import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { envSchema } from './config/env.schema';

@Module({
  imports: [
    PlatformModule.forRoot({ app: 'feedback-api', envSchema, uses: { postgres: true, nats: { ensureStreams: true } } }),
  ],
})
export class AppModule {}
