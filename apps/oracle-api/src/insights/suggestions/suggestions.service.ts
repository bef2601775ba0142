import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type {
  AgentConfig,
  CandidateSpec,
  Suggestion,
  SuggestionCandidateResponse,
  SuggestionListQuery,
  SuggestionListResponse,
  SuggestRequest,
  SuggestResponse,
} from '@metaloop/contracts';
import { AuditLog } from '@metaloop/control';
import { uuidv7 } from '@metaloop/core';
import { PrismaService, type Candidate, type Prisma, type Suggestion as SuggestionRow } from '@metaloop/db';
import { AgentNotFoundError, CandidatesService } from '@metaloop/registry';
import type { Env } from '../../config/env.schema';
import { patchedTemplate, suggestionVersion } from './suggestion-candidate';
import {
  callModel,
  modelRequest,
  parseModelAnswer,
  type ModelArea,
  type ModelSuggestion,
  type SuggestionModelSettings,
} from './suggestion-model';
import { ruleSuggestions, SuggestionTally, type SuggestionDraft } from './suggestion-rules';
import { SuggestionNotApplicableError, SuggestionNotFoundError } from './suggestions.errors';

const PAGE_ROWS = 5_000;
/** Agents looked at when the request names none (registered agents, in id order). */
const MAX_AGENTS = 1_000;

interface EventRow {
  event_id: string;
  occurred_at: Date;
  rating: number | null;
  helpful: boolean | null;
  complaint: string | null;
  correction: string | null;
  tags: string[] | null;
  framework: string | null;
}

interface AgentTally {
  agentId: string;
  tally: SuggestionTally;
  read: number;
  truncated: boolean;
}

type Db = Prisma.TransactionClient | PrismaService;
type ModelAnswer = { suggestions: ModelSuggestion[] } | { error: string };

/**
 * Seed 003's suggestions: the recent judged feedback of each agent asked about is read within a
 * bound (newest first, keyset pages on the (agent, occurred_at) index, at most
 * SUGGESTIONS_MAX_EVENTS), tallied by the pure rules, optionally rewritten by a model, stored,
 * and turned into a registered prompt candidate on request.
 */
@Injectable()
export class SuggestionsService {
  private readonly logger = new Logger(SuggestionsService.name);
  private readonly maxEvents: number;
  private readonly minNegatives: number;
  private readonly model: SuggestionModelSettings | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly candidates: CandidatesService,
    private readonly audit: AuditLog,
    config: ConfigService<Env, true>,
  ) {
    this.maxEvents = config.get('SUGGESTIONS_MAX_EVENTS', { infer: true });
    this.minNegatives = config.get('SUGGESTIONS_MIN_NEGATIVES', { infer: true });
    const url = config.get('SUGGESTIONS_MODEL_URL', { infer: true });
    this.model = url
      ? {
          kind: config.get('SUGGESTIONS_MODEL_KIND', { infer: true }),
          url,
          model: config.get('SUGGESTIONS_MODEL', { infer: true }),
          apiKey: config.get('SUGGESTIONS_API_KEY', { infer: true }),
          timeoutMs: config.get('SUGGESTIONS_MODEL_TIMEOUT_MS', { infer: true }),
        }
      : undefined;
  }

  async suggest(body: SuggestRequest, actor: string): Promise<SuggestResponse> {
    const to = new Date();
    const from = new Date(to.getTime() - body.days * 86_400_000);
    const agentIds = body.agent_id ? [await this.assertAgent(body.agent_id)] : await this.agentIds();
    const perAgent = Math.max(1, Math.ceil(this.maxEvents / Math.max(1, agentIds.length)));
    const tallies = new Map<string, AgentTally>();
    for (const agentId of agentIds)
      tallies.set(agentId, await this.tallyAgent(agentId, from, to, body.framework ?? null, perAgent));

    const drafts = [...tallies.values()]
      .flatMap(({ agentId, tally }) =>
        ruleSuggestions(agentId, tally, { minNegatives: this.minNegatives, limit: body.limit }),
      )
      .sort((a, b) => b.score - a.score || a.agent_id.localeCompare(b.agent_id))
      .slice(0, body.limit);

    const window = {
      from: from.toISOString(),
      to: to.toISOString(),
      days: body.days,
      ...(body.framework !== undefined && { framework: body.framework }),
    };
    const answers = new Map<string, ModelAnswer>();
    if (this.model)
      for (const [agentId, agentDrafts] of groupBy(drafts, (d) => d.agent_id))
        answers.set(agentId, await this.askModel(agentId, tallies.get(agentId)!.tally, agentDrafts));
    // Ids descend with the rank, so the listing (newest first) shows a batch in its order too.
    const ids = drafts.map(() => uuidv7()).sort((a, b) => b.localeCompare(a));
    const rows = drafts.map((draft, i): Prisma.SuggestionCreateManyInput => {
      const t = tallies.get(draft.agent_id)!;
      const modelAnswer = answers.get(draft.agent_id);
      const fromModel =
        modelAnswer && 'suggestions' in modelAnswer
          ? modelAnswer.suggestions.find((s) => s.area === draft.area && s.area_kind === draft.area_kind)
          : undefined;
      const fallbackReason = !modelAnswer
        ? null
        : 'error' in modelAnswer
          ? modelAnswer.error
          : fromModel
            ? null
            : 'the model suggested nothing for this area';
      return {
        id: ids[i]!,
        agentId: draft.agent_id,
        areaKind: draft.area_kind,
        area: draft.area,
        rule: fromModel ? 'model' : draft.rule,
        problem: draft.problem as unknown as Prisma.InputJsonValue,
        suggestion: fromModel?.suggestion ?? draft.suggestion,
        promptPatch: fromModel?.prompt_patch ?? draft.prompt_patch,
        source: fromModel ? 'model' : 'rules',
        fallbackReason,
        evidence: {
          ...draft.evidence,
          ...(fromModel && { rule: draft.rule, rule_prompt_patch: draft.prompt_patch }),
          score: draft.score,
          window,
          events_read: t.read,
          truncated: t.truncated,
        } as Prisma.InputJsonValue,
        createdBy: actor,
      };
    });
    const createdAt = new Date();
    await this.prisma.suggestion.createMany({ data: rows.map((row) => ({ ...row, createdAt })) });
    return {
      items: rows.map((row) =>
        toView({ ...row, candidateId: null, createdAt, fallbackReason: row.fallbackReason ?? null } as SuggestionRow),
      ),
    };
  }

  /** Newest first; `next_cursor` pages to older ones. */
  async list(query: SuggestionListQuery): Promise<SuggestionListResponse> {
    const rows = await this.prisma.suggestion.findMany({
      where: { agentId: query.agent_id, ...(query.cursor && { id: { lt: query.cursor } }) },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toView),
      next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }

  /**
   * The suggestion as a prompt candidate of its agent: the stable prompt with the patch appended,
   * registered by the registry, linked to the suggestion and audited, in one transaction that
   * holds the suggestion's row; asked again, the same candidate (nothing new is registered).
   */
  async registerCandidate(suggestionId: string, actor: string): Promise<SuggestionCandidateResponse> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRawUnsafe<Array<{ id: string }>>(
        'SELECT id FROM suggestions WHERE id = $1::uuid FOR UPDATE',
        suggestionId,
      );
      if (locked.length === 0) throw new SuggestionNotFoundError(suggestionId);
      const row = await tx.suggestion.findUniqueOrThrow({ where: { id: suggestionId } });
      if (row.candidateId) {
        const existing = await tx.candidate.findUnique({ where: { id: row.candidateId } });
        if (existing) return { ...candidateView(existing), suggestion_id: row.id } as SuggestionCandidateResponse;
      }
      const agent = await tx.agent.findUnique({ where: { id: row.agentId }, include: { stableRevision: true } });
      if (!agent) throw new AgentNotFoundError(row.agentId);
      if (!agent.stableRevision)
        throw new SuggestionNotApplicableError(`agent "${row.agentId}" has no stable revision to patch`);
      const stable = (agent.stableRevision.config as unknown as AgentConfig).prompt;
      const template = patchedTemplate(stable.template, row.promptPatch);
      if (template === undefined)
        throw new SuggestionNotApplicableError(
          `the stable prompt with the patch appended would exceed the template limit of agent "${row.agentId}"`,
        );
      const spec: CandidateSpec = { type: 'prompt', version: suggestionVersion(stable.version, row.id), template };
      const candidate = await this.candidates.addCandidate(row.agentId, spec, { db: tx });
      await tx.suggestion.update({ where: { id: row.id }, data: { candidateId: candidate.candidate_id } });
      await this.audit.record(
        {
          actor,
          action: 'suggestion.candidate_registered',
          entityType: 'suggestion',
          entityId: row.id,
          agentId: row.agentId,
          details: {
            candidate_id: candidate.candidate_id,
            version: spec.version,
            from_prompt_version: stable.version,
            area: row.area,
            area_kind: row.areaKind,
            rule: row.rule,
            source: row.source,
          },
        },
        tx,
      );
      return { ...candidate, suggestion_id: row.id };
    });
  }

  private async assertAgent(agentId: string): Promise<string> {
    const agent = await this.prisma.agent.findUnique({ where: { id: agentId }, select: { id: true } });
    if (!agent) throw new AgentNotFoundError(agentId);
    return agent.id;
  }

  private async agentIds(): Promise<string[]> {
    const agents = await this.prisma.agent.findMany({ select: { id: true }, orderBy: { id: 'asc' }, take: MAX_AGENTS });
    return agents.map((a) => a.id);
  }

  /** The agent's judged events in the window, newest first, at most `cap`, folded into a tally page by page. */
  private async tallyAgent(
    agentId: string,
    from: Date,
    to: Date,
    framework: string | null,
    cap: number,
  ): Promise<AgentTally> {
    const tally = new SuggestionTally();
    let read = 0;
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const take = Math.min(PAGE_ROWS, cap - read);
      const rows = await this.readPage(this.prisma, agentId, from, to, framework, take, after);
      for (const row of rows)
        tally.add({
          eventId: row.event_id,
          rating: row.rating,
          helpful: row.helpful,
          complaint: row.complaint,
          correction: row.correction,
          tags: row.tags ?? [],
          framework: row.framework,
        });
      read += rows.length;
      if (rows.length < take) return { agentId, tally, read, truncated: false };
      if (read >= cap) return { agentId, tally, read, truncated: true };
      const last = rows[rows.length - 1]!;
      after = { at: last.occurred_at, id: last.event_id };
    }
  }

  private readPage(
    db: Db,
    agentId: string,
    from: Date,
    to: Date,
    framework: string | null,
    take: number,
    after: { at: Date; id: string } | undefined,
  ): Promise<EventRow[]> {
    return db.$queryRawUnsafe<EventRow[]>(
      `SELECT event_id, occurred_at, rating, helpful, complaint, tags,
              payload->'context'->>'framework' AS framework,
              payload->'explicit'->>'correction' AS correction
         FROM feedback_events
        WHERE agent_id = $1 AND occurred_at >= $2 AND occurred_at <= $3
          AND (rating IS NOT NULL OR helpful IS NOT NULL OR complaint IS NOT NULL
               OR payload->'explicit'->>'correction' IS NOT NULL)
          AND ($4::text IS NULL OR payload->'context'->>'framework' = $4)
          ${after ? 'AND (occurred_at, event_id) < ($6, $7)' : ''}
        ORDER BY occurred_at DESC, event_id DESC
        LIMIT $5`,
      agentId,
      from,
      to,
      framework,
      take,
      ...(after ? [after.at, after.id] : []),
    );
  }

  /** The model's suggestions for the agent's chosen areas, or why there are none. */
  private async askModel(
    agentId: string,
    tally: SuggestionTally,
    drafts: readonly SuggestionDraft[],
  ): Promise<ModelAnswer> {
    const areas: ModelArea[] = drafts.map((d) => {
      const t = tally.areas.get(`${d.area_kind}:${d.area}`)!;
      return {
        area: d.area,
        area_kind: d.area_kind,
        problem: d.problem,
        complaints: t.complaintSamples,
        corrections: t.correctionSamples,
        top_signals: (d.evidence['top_signals'] as ModelArea['top_signals'] | undefined) ?? [],
      };
    });
    try {
      const template = await this.stableTemplate(agentId);
      const content = await callModel(this.model!, modelRequest(agentId, template, areas));
      const answer = parseModelAnswer(content, areas);
      if ('error' in answer) this.logger.warn(`suggestion model for ${agentId}: ${answer.error}; the rules answer`);
      return answer;
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.warn(`suggestion model for ${agentId}: ${reason}; the rules answer`);
      return { error: reason };
    }
  }

  private async stableTemplate(agentId: string): Promise<string | null> {
    const agent = await this.prisma.agent.findUnique({ where: { id: agentId }, include: { stableRevision: true } });
    const config = agent?.stableRevision?.config as unknown as AgentConfig | undefined;
    return config?.prompt.template ?? null;
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function toView(row: SuggestionRow): Suggestion {
  return {
    suggestion_id: row.id,
    agent_id: row.agentId,
    area: row.area,
    area_kind: row.areaKind as Suggestion['area_kind'],
    rule: row.rule,
    problem: row.problem as Suggestion['problem'],
    suggestion: row.suggestion,
    prompt_patch: row.promptPatch,
    source: row.source as Suggestion['source'],
    ...(row.fallbackReason !== null && { fallback_reason: row.fallbackReason }),
    evidence: row.evidence as Suggestion['evidence'],
    candidate_id: row.candidateId,
    created_at: row.createdAt.toISOString(),
  };
}

/** A stored candidate as the registry answers it (for the repeated call, which registers nothing). */
function candidateView(row: Candidate): Omit<SuggestionCandidateResponse, 'suggestion_id'> {
  return {
    ...(row.spec as unknown as CandidateSpec),
    candidate_id: row.id,
    agent_id: row.agentId,
    key: row.key,
    created_at: row.createdAt.toISOString(),
  };
}
