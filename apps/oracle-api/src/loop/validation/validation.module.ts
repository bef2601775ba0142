import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { AgentSnapshotsModule } from '../../common/agent-snapshots.module';
import { FindingsModule } from '../findings/findings.module';
import { PlansModule } from '../plans/plans.module';
import { GateStateReader } from './gate-state.reader';
import { ValidationController } from './validation.controller';
import { ValidationMetrics } from './validation.metrics';
import { ValidationService } from './validation.service';

@Module({
  imports: [AgentSnapshotsModule, ControlModule, PlansModule, FindingsModule],
  controllers: [ValidationController],
  providers: [ValidationService, GateStateReader, ValidationMetrics],
  exports: [ValidationService, GateStateReader],
})
export class ValidationModule {}
