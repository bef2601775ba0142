import { Module } from '@nestjs/common';
import { AgentConfigModule } from '../agent-config/agent-config.module';
import { ExampleStoreModule } from './example-store.module';
import { ExamplesController } from './examples.controller';

/** `POST /api/v1/agents/{agent_id}/examples/search` (DICL). */
@Module({
  imports: [AgentConfigModule, ExampleStoreModule],
  controllers: [ExamplesController],
})
export class ExamplesModule {}
