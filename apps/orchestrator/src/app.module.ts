import { Module } from '@nestjs/common';
import { AdaptersModule } from '@metaloop/adapters';
import { PoliciesModule } from '@metaloop/policies';
import { BoardModule } from './board/board.module';
import { LaunchModule } from './launch/launch.module';
import { MonitorModule } from './monitor/monitor.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { RevertModule } from './revert/revert.module';

@Module({
  imports: [
    PoliciesModule.fromEnv(),
    AdaptersModule.fromEnv(),
    LaunchModule,
    MonitorModule,
    RevertModule,
    ReconcileModule,
    BoardModule,
  ],
})
export class AppModule {}
