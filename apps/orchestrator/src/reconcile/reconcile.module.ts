import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MonitorModule } from '../monitor/monitor.module';
import { Reconciler } from './reconciler.service';

@Module({ imports: [CommonModule, MonitorModule], providers: [Reconciler], exports: [Reconciler] })
export class ReconcileModule {}
