import { LIVE_ROLLOUT_STATUSES, type AgentConfig, type Arm } from '@metaloop/contracts';
import { stickyArm } from './sticky-arm';

export interface LiveRevision {
  revisionId: string;
  config: AgentConfig;
}

export interface LiveRollout {
  rolloutId: string;
  status: (typeof LIVE_ROLLOUT_STATUSES)[number];
  /** Canary share in basis points; a paused rollout keeps its weight, so sessions keep their arm. */
  weightBp: number;
  candidate: LiveRevision;
}

/** What an agent serves right now: its stable revision and, while one runs, its rollout. */
export interface AgentLiveState {
  agentId: string;
  /** agents.config_version: grows with every change of this state. */
  version: number;
  /** When the state last changed (agents.updated_at). */
  updatedAt: Date;
  stable: LiveRevision;
  rollout: LiveRollout | null;
}

export interface ResolvedConfig {
  arm: Arm;
  revision: LiveRevision;
  rolloutId: string | null;
}

/** The config one session gets: the candidate's when its sticky arm is canary, else the stable one. */
export function resolveConfig(state: AgentLiveState, sessionId: string): ResolvedConfig {
  const arm = stickyArm(state.rollout, sessionId);
  return {
    arm,
    revision: arm === 'canary' && state.rollout ? state.rollout.candidate : state.stable,
    rolloutId: state.rollout?.rolloutId ?? null,
  };
}
