import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { envSchema } from './config/env.schema';

@Module({
  imports: [
    PlatformModule.forRoot({
      app: 'orchestrator',
      envSchema,
      uses: { postgres: true, nats: { ensureStreams: false }, redis: true },
    }),
  ],
})
export class AppModule {}
