import { Injectable } from '@nestjs/common';
import { AuditLog } from '@metaloop/control';
import type { Prisma } from '@metaloop/db';
import {
  ACTIVE_ROLLOUT_STATUSES,
  type AgentConfig,
  type CandidateSpec,
  type DeployRequest,
  type DeployResponse,
} from '@metaloop/contracts';
import {
  CandidatesService,
  diffConfigs,
  LiveConfigStore,
  revisionIdentity,
  RevisionsService,
} from '@metaloop/registry';
import { DeployRefusedError } from './deploy-refused.error';

/** Rolls the deploy's transaction back (no version bump, no message) when the config is the stable one already. */
class AlreadyStable extends Error {
  constructor(readonly revisionId: string) {
    super('already stable');
  }
}

/**
 * An operator's deploy: the given config becomes the agent's stable revision at once, in one
 * live config change (version bump, then config.changed) with its audit entry. The prompt it
 * replaces stays within the loop's reach as a prompt candidate.
 */
@Injectable()
export class AgentDeployService {
  constructor(
    private readonly store: LiveConfigStore,
    private readonly revisions: RevisionsService,
    private readonly candidates: CandidatesService,
    private readonly audit: AuditLog,
  ) {}

  async deploy(agentId: string, request: DeployRequest, actor: string): Promise<DeployResponse> {
    const revisionId = revisionIdentity(agentId, request.config).revisionId;
    try {
      const { result } = await this.store.changeLiveConfig(agentId, 'deployed', async (tx, version) => {
        // The version bump locked the agent's row: its stable revision and rollouts hold still until the commit.
        const agent = await tx.agent.findUniqueOrThrow({ where: { id: agentId }, select: { stableRevisionId: true } });
        if (agent.stableRevisionId === revisionId) throw new AlreadyStable(revisionId);
        const blocking = await tx.rollout.findFirst({
          where: { agentId, status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
          select: { id: true, status: true },
        });
        if (blocking) throw new DeployRefusedError(agentId, blocking.id, blocking.status);
        return this.replaceStable(tx, agentId, agent.stableRevisionId, request, actor, version);
      });
      return result;
    } catch (error) {
      if (!(error instanceof AlreadyStable)) throw error;
      return {
        agent_id: agentId,
        revision_id: error.revisionId,
        previous_revision_id: error.revisionId,
        changed: false,
        registered_prompt_candidate: null,
      };
    }
  }

  /** Inside the live config change: the new stable revision, the replaced prompt as a candidate, the audit entry. */
  private async replaceStable(
    tx: Prisma.TransactionClient,
    agentId: string,
    previousId: string | null,
    request: DeployRequest,
    actor: string,
    configVersion: number,
  ): Promise<DeployResponse> {
    const previous = previousId
      ? ((await tx.revision.findUniqueOrThrow({ where: { id: previousId }, select: { config: true } }))
          .config as AgentConfig)
      : null;
    const reason = request.reason ?? null;
    const revision = await this.revisions.createRevision(
      agentId,
      previousId,
      request.config,
      null,
      { source: 'deploy', reason },
      actor,
      tx,
    );
    await this.store.setStableRevision(tx, agentId, revision.revision_id);
    const replaced = previous && replacedPrompt(previous, revision.config);
    const registered =
      replaced && (await this.candidates.registerIfAbsent(agentId, replaced, tx)) ? replaced.version : null;
    await this.audit.record(
      {
        actor,
        action: 'agent.deployed',
        entityType: 'agent',
        entityId: agentId,
        agentId,
        reason,
        details: {
          from_revision_id: previousId,
          to_revision_id: revision.revision_id,
          config_version: configVersion,
          changed_paths: previous ? diffConfigs(previous, revision.config).map((change) => change.path) : [],
          registered_prompt_candidate: registered,
        },
      },
      tx,
    );
    return {
      agent_id: agentId,
      revision_id: revision.revision_id,
      previous_revision_id: previousId,
      changed: true,
      registered_prompt_candidate: registered,
    };
  }
}

/** The prompt a deploy takes out of service, as a prompt candidate; null when the prompt stays. */
export function replacedPrompt(
  before: AgentConfig,
  after: AgentConfig,
): Extract<CandidateSpec, { type: 'prompt' }> | null {
  if (before.prompt.version === after.prompt.version && before.prompt.template === after.prompt.template) return null;
  return { type: 'prompt', version: before.prompt.version, template: before.prompt.template };
}
