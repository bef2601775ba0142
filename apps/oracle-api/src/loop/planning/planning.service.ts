import { Injectable, NotFoundException } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import type { Environment, Finding, MutationInput, MutationType, PlanRequest, PlanResponse } from '@metaloop/contracts';
import { PolicyStore } from '@metaloop/policies';
import { AgentSnapshots } from '../../common/agent-snapshots';
import { FindingsService } from '../findings/findings.service';
import { PlansService } from '../plans/plans.service';
import { LlmProposer } from './llm-proposer';
import { planFromProposals, proposeMutations, type Proposals } from './planner';
import type { AgentPlanningState, PlanningContext } from './planning-context';
import { introducedKeys, parseConfig, proposedKeys } from './refused-candidates';

const DAY_MS = 86_400_000;

/**
 * Findings → typed mutations, at most one per agent, from each agent's stable config, registered
 * candidates and what was refused lately (rolled back, retired or rejected), with the optional
 * LLM proposer for what no rule fixes. `plan` stores them as one plan (the REST call, seed
 * 004); the tick takes the picks and makes one plan per agent.
 */
@Injectable()
export class PlanningService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly snapshots: AgentSnapshots,
    private readonly findings: FindingsService,
    private readonly plans: PlansService,
    private readonly policies: PolicyStore,
    private readonly llm: LlmProposer,
  ) {}

  /** `POST plan`: always a stored plan; without mutations when nothing fits (its rationale and `skipped` say why). */
  async plan(request: PlanRequest, actor: string, source = 'api'): Promise<PlanResponse> {
    const { plan, skipped } = planFromProposals(await this.propose(await this.resolveFindings(request)), source);
    return { plan: await this.plans.create(plan, actor), skipped };
  }

  /** The picks for these findings, asking the LLM proposer (when on) about the ones no rule fixes. */
  async propose(findings: readonly Finding[]): Promise<Proposals> {
    const context = await this.context(findings.map((f) => f.agent_id));
    let outcome = proposeMutations(findings, context);
    const llmReasons = new Map<string, string>();
    if (this.llm.enabled && outcome.unmatched.length > 0) {
      // The rules could not fix these: ask the LLM, then propose again with its valid mutations.
      const proposals = new Map<string, MutationInput>();
      for (const finding of outcome.unmatched) {
        const proposal = await this.llm.propose(finding, context.agents.get(finding.agent_id)!);
        if ('mutation' in proposal) proposals.set(finding.finding_id, proposal.mutation);
        else llmReasons.set(finding.finding_id, proposal.reason);
      }
      if (proposals.size > 0) outcome = proposeMutations(findings, { ...context, proposals });
    }
    const skipped = outcome.skipped.map((s) =>
      llmReasons.has(s.finding_id) ? { ...s, reason: `${s.reason}; ${llmReasons.get(s.finding_id)}` } : s,
    );
    return { ...outcome, skipped };
  }

  /**
   * Stored findings win over a client's copy of them (their status may have moved on); unknown sent
   * ones are taken as sent. `finding_ids` must all name stored findings: a 404 names the others.
   */
  private async resolveFindings(request: PlanRequest): Promise<Finding[]> {
    const sent = request.findings ?? [];
    const ids = request.finding_ids ?? sent.map((f) => f.finding_id);
    const stored = new Map((await this.findings.byIds(ids)).map((f) => [f.finding_id, f]));
    if (request.finding_ids) {
      const unknown = ids.filter((id) => !stored.has(id));
      if (unknown.length > 0) throw new NotFoundException(`no stored finding with id ${unknown.join(', ')}`);
      return ids.map((id) => stored.get(id)!);
    }
    return sent.map((f) => stored.get(f.finding_id) ?? f);
  }

  async context(agentIds: readonly string[]): Promise<PlanningContext> {
    const { policy } = this.policies.current();
    const [snapshots, refused, examples, trained] = await Promise.all([
      this.snapshots.read(agentIds),
      this.refusedKeys(agentIds, policy.plans.refused_candidate_days * DAY_MS),
      this.exampleStats(agentIds),
      this.trainedCandidates(agentIds),
    ]);
    const agents = new Map<string, AgentPlanningState>();
    for (const s of snapshots.values()) {
      if (!s.stable || !s.stableRevisionId) continue;
      agents.set(s.agentId, {
        agentId: s.agentId,
        environment: s.environment,
        stableRevisionId: s.stableRevisionId,
        stable: s.stable,
        activeRolloutId: s.activeRolloutId,
        livePlan: s.livePlan,
        candidates: s.candidates,
        recentlyRefused: refused.get(s.agentId) ?? new Set(),
        examples: { ...(examples.get(s.agentId) ?? { active: 0, meanQuality: null }), policy: policy.learning.dicl },
        trained: trained.get(s.agentId) ?? new Map(),
      });
    }
    return {
      agents,
      enabledTypes: (environment: Environment) => new Set<MutationType>(policy.actions.enabled[environment]),
    };
  }

  /** Per agent, how many examples retrieval would draw from (not demoted), and their mean quality. */
  private async exampleStats(agentIds: readonly string[]) {
    const rows = await this.prisma.example.groupBy({
      by: ['agentId'],
      where: { agentId: { in: [...agentIds] }, demotedAt: null },
      _count: { _all: true },
      _avg: { quality: true },
    });
    return new Map(rows.map((r) => [r.agentId, { active: r._count._all, meanQuality: r._avg.quality }]));
  }

  /** Per agent, the candidates that are artifacts of a training request, by key. */
  private async trainedCandidates(
    agentIds: readonly string[],
  ): Promise<Map<string, Map<string, { trainingRequestId: string; datasetId: string }>>> {
    const rows = await this.prisma.candidate.findMany({
      where: { agentId: { in: [...agentIds] }, trainingRequestId: { not: null } },
      select: { agentId: true, key: true, trainingRequestId: true, trainingRequest: { select: { datasetId: true } } },
    });
    const byAgent = new Map<string, Map<string, { trainingRequestId: string; datasetId: string }>>();
    for (const r of rows) {
      if (!r.trainingRequestId || !r.trainingRequest) continue;
      const keys = byAgent.get(r.agentId) ?? byAgent.set(r.agentId, new Map()).get(r.agentId)!;
      keys.set(r.key, { trainingRequestId: r.trainingRequestId, datasetId: r.trainingRequest.datasetId });
    }
    return byAgent;
  }

  /** Per agent, the candidate keys rolled back, retired or rejected within the refusal memory. */
  private async refusedKeys(agentIds: readonly string[], memoryMs: number): Promise<Map<string, Set<string>>> {
    const since = new Date(Date.now() - memoryMs);
    const [ended, rejected, stables] = await Promise.all([
      this.prisma.rollout.findMany({
        where: {
          agentId: { in: [...agentIds] },
          status: { in: ['rolled_back', 'retired'] },
          finishedAt: { gte: since },
        },
        select: { agentId: true, stableRevisionId: true, candidateRevisionId: true },
      }),
      this.prisma.mutation.findMany({
        where: { agentId: { in: [...agentIds] }, plan: { status: 'rejected', updatedAt: { gte: since } } },
        select: { agentId: true, type: true, params: true },
      }),
      this.prisma.agent.findMany({
        where: { id: { in: [...agentIds] } },
        select: { id: true, stableRevision: { select: { config: true } } },
      }),
    ]);
    const revisionIds = ended.flatMap((r) => [r.stableRevisionId, r.candidateRevisionId]);
    const configs = new Map(
      (
        await this.prisma.revision.findMany({ where: { id: { in: revisionIds } }, select: { id: true, config: true } })
      ).map((r) => [r.id, parseConfig(r.config)]),
    );
    const keys = new Map<string, Set<string>>();
    const add = (agentId: string, values: string[]) =>
      values.forEach((v) => (keys.get(agentId) ?? keys.set(agentId, new Set()).get(agentId)!).add(v));
    for (const r of ended) {
      const stable = configs.get(r.stableRevisionId);
      const candidate = configs.get(r.candidateRevisionId);
      if (stable && candidate) add(r.agentId, introducedKeys(stable, candidate));
    }
    const stableVersion = new Map(stables.map((a) => [a.id, parseConfig(a.stableRevision?.config)?.prompt.version]));
    for (const m of rejected)
      add(
        m.agentId,
        proposedKeys({ type: m.type, params: m.params, agent_id: m.agentId }, stableVersion.get(m.agentId)),
      );
    return keys;
  }
}
