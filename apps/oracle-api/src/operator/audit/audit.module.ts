import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { AuditController } from './audit.controller';

@Module({ imports: [ControlModule], controllers: [AuditController] })
export class AuditModule {}
