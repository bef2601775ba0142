import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import type { Environment, Finding, MutationInput, MutationType, PlanRequest, PlanResponse } from '@metaloop/events';
import { PolicyStore } from '@metaloop/policies';
import { AgentSnapshots } from '../common/agent-snapshots';
import { FindingsService } from '../findings/findings.service';
import { PlansService } from '../plans/plans.service';
import { LlmProposer } from './llm-proposer';
import { planFromFindings } from './planner';
import type { AgentPlanningState, PlanningContext } from './planning-context';
import { introducedKeys, parseConfig, proposedKeys } from './refused-candidates';

/** How long a rolled-back or rejected candidate is not proposed again. */
const REFUSAL_MEMORY_MS = 7 * 86_400_000;

/**
 * `plan`: findings (sent, or stored ones by id) → the planner, with each agent's stable config,
 * registered candidates and what was refused lately → a stored draft plan, plus why every other
 * finding was left out.
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

  async plan(request: PlanRequest, actor: string, source = 'api'): Promise<PlanResponse> {
    const findings = await this.resolveFindings(request);
    const context = await this.context(findings.map((f) => f.agent_id));
    let outcome = planFromFindings(findings, context, source);
    const llmReasons = new Map<string, string>();
    if (this.llm.enabled && outcome.unmatched.length > 0) {
      // The rules could not fix these: ask the LLM, then plan again with its valid proposals.
      const proposals = new Map<string, MutationInput>();
      for (const finding of outcome.unmatched) {
        const proposal = await this.llm.propose(finding, context.agents.get(finding.agent_id)!);
        if ('mutation' in proposal) proposals.set(finding.finding_id, proposal.mutation);
        else llmReasons.set(finding.finding_id, proposal.reason);
      }
      if (proposals.size > 0) outcome = planFromFindings(findings, { ...context, proposals }, source);
    }
    const skipped = outcome.skipped.map((s) => (llmReasons.has(s.finding_id) ? { ...s, reason: `${s.reason}; ${llmReasons.get(s.finding_id)}` } : s));
    return { plan: outcome.plan ? await this.plans.create(outcome.plan, actor) : null, skipped };
  }

  /** Stored findings win over a client's copy of them (their status may have moved on); unknown ones are taken as sent. */
  private async resolveFindings(request: PlanRequest): Promise<Finding[]> {
    const sent = request.findings ?? [];
    const ids = request.finding_ids ?? sent.map((f) => f.finding_id);
    const stored = new Map((await this.findings.byIds(ids)).map((f) => [f.finding_id, f]));
    if (request.finding_ids) return ids.flatMap((id) => stored.get(id) ?? []);
    return sent.map((f) => stored.get(f.finding_id) ?? f);
  }

  async context(agentIds: readonly string[]): Promise<PlanningContext> {
    const { policy } = this.policies.current();
    const [snapshots, refused] = await Promise.all([this.snapshots.read(agentIds), this.refusedKeys(agentIds)]);
    const agents = new Map<string, AgentPlanningState>();
    for (const s of snapshots.values()) {
      if (!s.stable || !s.stableRevisionId) continue;
      agents.set(s.agentId, {
        agentId: s.agentId,
        environment: s.environment,
        stableRevisionId: s.stableRevisionId,
        stable: s.stable,
        activeRolloutId: s.activeRolloutId,
        candidates: s.candidates,
        recentlyRefused: refused.get(s.agentId) ?? new Set(),
      });
    }
    return { agents, enabledTypes: (environment: Environment) => new Set<MutationType>(policy.actions.enabled[environment]) };
  }

  /** Per agent, the candidate keys rolled back or rejected within the refusal memory. */
  private async refusedKeys(agentIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const since = new Date(Date.now() - REFUSAL_MEMORY_MS);
    const [rolledBack, rejected, stables] = await Promise.all([
      this.prisma.rollout.findMany({
        where: { agentId: { in: [...agentIds] }, status: 'rolled_back', finishedAt: { gte: since } },
        select: { agentId: true, stableRevisionId: true, candidateRevisionId: true },
      }),
      this.prisma.mutation.findMany({
        where: { agentId: { in: [...agentIds] }, plan: { status: 'rejected', updatedAt: { gte: since } } },
        select: { agentId: true, type: true, params: true },
      }),
      this.prisma.agent.findMany({ where: { id: { in: [...agentIds] } }, select: { id: true, stableRevision: { select: { config: true } } } }),
    ]);
    const revisionIds = rolledBack.flatMap((r) => [r.stableRevisionId, r.candidateRevisionId]);
    const configs = new Map(
      (await this.prisma.revision.findMany({ where: { id: { in: revisionIds } }, select: { id: true, config: true } })).map((r) => [r.id, parseConfig(r.config)]),
    );
    const keys = new Map<string, Set<string>>();
    const add = (agentId: string, values: string[]) => values.forEach((v) => (keys.get(agentId) ?? keys.set(agentId, new Set()).get(agentId)!).add(v));
    for (const r of rolledBack) {
      const stable = configs.get(r.stableRevisionId);
      const candidate = configs.get(r.candidateRevisionId);
      if (stable && candidate) add(r.agentId, introducedKeys(stable, candidate));
    }
    const stableVersion = new Map(stables.map((a) => [a.id, parseConfig(a.stableRevision?.config)?.prompt.version]));
    for (const m of rejected) add(m.agentId, proposedKeys({ type: m.type, params: m.params, agent_id: m.agentId }, stableVersion.get(m.agentId)));
    return keys;
  }
}
