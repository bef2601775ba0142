import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { BoardModule } from './board/board.module';
import { envSchema } from './config/env.schema';
import { ExecutionModule } from './execution/execution.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { ReconcilerModule } from './reconciler/reconciler.module';
import { RevertsModule } from './reverts/reverts.module';

@Module({
  imports: [
    PlatformModule.forRoot({
      app: 'orchestrator',
      envSchema,
      uses: { postgres: true, nats: { ensureStreams: false }, redis: true },
    }),
    ExecutionModule,
    MonitoringModule,
    RevertsModule,
    ReconcilerModule,
    BoardModule,
  ],
})
export class AppModule {}
