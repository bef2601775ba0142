import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { AgentSnapshots } from '../../common/agent-snapshots';
import { FindingsModule } from '../findings/findings.module';
import { PlansModule } from '../plans/plans.module';
import { GateStateReader } from './gate-state.reader';
import { ValidationController } from './validation.controller';
import { ValidationMetrics } from './validation.metrics';
import { ValidationService } from './validation.service';

@Module({
  imports: [ControlModule, PlansModule, FindingsModule],
  controllers: [ValidationController],
  providers: [ValidationService, GateStateReader, ValidationMetrics, AgentSnapshots],
  exports: [ValidationService, GateStateReader],
})
export class ValidationModule {}
