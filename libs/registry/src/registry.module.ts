import { Module } from '@nestjs/common';
import { AgentsService } from './agents.service';
import { CandidatesService } from './candidates.service';
import { ConfigChangePublisher } from './config-change.publisher';
import { LiveConfigStore } from './live-config.store';
import { RevisionsService } from './revisions.service';

const services = [AgentsService, RevisionsService, CandidatesService, LiveConfigStore, ConfigChangePublisher];

/**
 * The agent registry for an app. Needs PrismaService and NatsEventsClient, both global in
 * apps built with PlatformModule (uses postgres and nats).
 */
@Module({ providers: services, exports: services })
export class RegistryModule {}
