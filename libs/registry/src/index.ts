export { RegistryModule } from './registry.module';
export { AgentsService } from './agents.service';
export { RevisionsService } from './revisions.service';
export { CandidatesService } from './candidates.service';
export { LiveConfigStore, type LiveConfigChange } from './live-config.store';
export { ConfigChangePublisher } from './config-change.publisher';
export { LIVE_ROLLOUT_STATUSES, resolveConfig, type AgentLiveState, type LiveRevision, type LiveRollout, type ResolvedConfig } from './live-state';
export { ARM_BUCKETS, armBucket, stickyArm } from './sticky-arm';
export { revisionIdentity, type RevisionIdentity } from './revision-identity';
export { diffConfigs, templateDiff } from './config-diff';
export {
  AgentExistsError,
  AgentNotFoundError,
  CandidateExistsError,
  RegistryInputError,
  RevisionNotFoundError,
  RolloutNotFoundError,
} from './registry.errors';
