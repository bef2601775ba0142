import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { PlansService } from './plans.service';

@Module({ imports: [ControlModule], providers: [PlansService], exports: [PlansService] })
export class PlansModule {}
