import { Module } from '@nestjs/common';
import { PlatformModule } from '@metaloop/platform';
import { PoliciesModule } from '@metaloop/policies';
import { BoardModule } from './board/board.module';
import { envSchema } from './config/env.schema';
import { LaunchModule } from './launch/launch.module';
import { MonitorModule } from './monitor/monitor.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { RevertModule } from './revert/revert.module';

@Module({
  imports: [
    PlatformModule.forRoot({
      app: 'orchestrator',
      envSchema,
      uses: { postgres: true, nats: { ensureStreams: false }, redis: true },
    }),
    PoliciesModule.fromEnv(),
    LaunchModule,
    MonitorModule,
    RevertModule,
    ReconcileModule,
    BoardModule,
  ],
})
export class AppModule {}
