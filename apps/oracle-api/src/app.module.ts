import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { envSchema } from './config/env.schema';

@Module({
  imports: [
    PlatformModule.forRoot({
      app: 'oracle-api',
      envSchema,
      uses: { postgres: true, nats: { ensureStreams: true }, redis: true },
    }),
  ],
})
export class AppModule {}
