import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { RegistryModule } from '@metaloop/registry';
import { TrainingModule } from '../../loop/training/training.module';
import { AgentDeployService } from './agent-deploy.service';
import { AgentsController } from './agents.controller';

@Module({
  imports: [RegistryModule, ControlModule, TrainingModule],
  controllers: [AgentsController],
  providers: [AgentDeployService],
})
export class AgentsModule {}
