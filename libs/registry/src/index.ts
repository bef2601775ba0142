export { RegistryModule } from './registry.module';
export { AgentsService } from './agents.service';
export { RevisionsService } from './revisions.service';
export { CandidatesService } from './candidates.service';
export { LiveConfigStore } from './live-config.store';
export { ConfigChangePublisher } from './config-change.publisher';
export { type AgentLiveState, type LiveRevision } from './live-state';
export { ARM_BUCKETS, armBucket, stickyArm } from './sticky-arm';
export { revisionIdentity } from './revision-identity';
export { diffConfigs } from './config-diff';
export {
  AgentNotFoundError,
  RegistryInputError,
  RolloutNotFoundError,
  TrainingRequestAnsweredError,
} from './registry.errors';
