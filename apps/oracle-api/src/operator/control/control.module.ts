import { Module } from '@nestjs/common';
import { ControlModule, RollbackModule } from '@metaloop/control';
import { ControlController } from './control.controller';
import { ControlService } from './control.service';

/** Rollback and freeze for operators (needs the app's BullMQ root for the revert queue). */
@Module({ imports: [ControlModule, RollbackModule], controllers: [ControlController], providers: [ControlService] })
export class OperatorControlModule {}
