import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

@Module({ imports: [ControlModule], controllers: [StatusController], providers: [StatusService] })
export class StatusModule {}
