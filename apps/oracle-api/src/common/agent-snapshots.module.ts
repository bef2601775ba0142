import { Module } from '@nestjs/common';
import { AgentSnapshots } from './agent-snapshots';

/** One AgentSnapshots for the planner and the gates, so both see agents the same way. */
@Module({ providers: [AgentSnapshots], exports: [AgentSnapshots] })
export class AgentSnapshotsModule {}
