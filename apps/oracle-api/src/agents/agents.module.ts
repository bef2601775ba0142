import { Module } from '@nestjs/common';
import { RegistryModule } from '@metaloop/registry';
import { AgentsController } from './agents.controller';

@Module({ imports: [RegistryModule], controllers: [AgentsController] })
export class AgentsModule {}
