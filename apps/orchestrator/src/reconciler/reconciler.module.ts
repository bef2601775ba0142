import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { Reconciler } from './reconciler.service';

@Module({ imports: [CommonModule, MonitoringModule], providers: [Reconciler], exports: [Reconciler] })
export class ReconcilerModule {}
