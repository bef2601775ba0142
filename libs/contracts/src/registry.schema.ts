import { z } from 'zod';
import { storableString } from './storable-text';
import {
  agentConfigSchema,
  candidateSchema,
  createAgentSchema,
  environmentSchema,
  mutationTypeSchema,
} from './agent-config.schema';
import { rolloutStatusSchema } from './control.schema';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';

/*
 * The agent registry on the wire: oracle-api's `/api/v1/agents/...` answers, feedback-api's
 * config endpoint, and the `config.changed` message that keeps feedback-api's cache fresh.
 */

const isoTime = z.iso.datetime({ offset: true });

/** `?limit=&cursor=` of every registry listing; `cursor` is the previous page's `next_cursor`. */
export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    /** Pass as `cursor` for the next page; null when this page reached the end. */
    next_cursor: z.string().nullable(),
  });

export const agentListQuerySchema = pageQuerySchema.extend({ environment: environmentSchema.optional() });

/** `201` answer of `POST /api/v1/agents`: the agent and its baseline (first) revision. */
export const createAgentResponseSchema = z.object({ agent_id: z.string(), revision_id: z.string() });

/** The rollout that shapes an agent's live config (running or paused), as agent listings show it. */
export const activeRolloutSchema = z.object({
  rollout_id: z.string(),
  status: rolloutStatusSchema,
  /** Canary share in basis points (500 = 5 %). */
  weight_bp: z.number().int().min(0).max(10_000),
  /** The same share in percent. */
  weight: z.number().min(0).max(100),
  stable_revision_id: z.string(),
  candidate_revision_id: z.string(),
  mutation_type: mutationTypeSchema,
});

export const agentResponseSchema = z.object({
  agent_id: z.string(),
  name: z.string(),
  environment: environmentSchema,
  stable_revision_id: z.string().nullable(),
  active_rollout: activeRolloutSchema.nullable(),
  created_at: isoTime,
});

export const agentListResponseSchema = page(agentResponseSchema);

/** One immutable revision: its id derives from the content hash of agent id + config. */
export const revisionResponseSchema = z.object({
  revision_id: z.string(),
  agent_id: z.string(),
  parent_id: z.string().nullable(),
  /** sha256 of the canonical JSON of the config alone (equal configs of different agents share it). */
  config_hash: z.string(),
  config: agentConfigSchema,
  /** Null for the baseline revision an agent was created with. */
  mutation_type: mutationTypeSchema.nullable(),
  change_summary: z.unknown().nullable(),
  created_by: z.string(),
  created_at: isoTime,
});

export const revisionListResponseSchema = page(revisionResponseSchema);

/** One difference between two configs at a path such as `params.temperature` or `memory[fact_1].text`. */
export const configChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

export const lineDiffSchema = z.array(z.object({ op: z.enum(['equal', 'added', 'removed']), text: z.string() }));

/** `GET /api/v1/agents/{id}/revisions/{a}/diff/{b}`: what changes from revision a to revision b. */
export const revisionDiffResponseSchema = z.object({
  agent_id: z.string(),
  from_revision_id: z.string(),
  to_revision_id: z.string(),
  changes: z.array(configChangeSchema),
  /** Line by line, when the prompt template differs; null otherwise. */
  prompt_template_diff: lineDiffSchema.nullable(),
});

export const candidateTypeSchema = z.enum(['prompt', 'model', 'lora', 'backend']);

export const candidateListQuerySchema = pageQuerySchema.extend({ type: candidateTypeSchema.optional() });

const trainingLink = {
  /** The training request this candidate is the artifact of (a trainer registering what it trained); completes the request. */
  training_request_id: z.uuid().optional(),
};

/** `POST /api/v1/agents/{agent_id}/candidates`: a candidate, optionally linked to the training request it answers. */
export const candidateRegistrationSchema = z.discriminatedUnion('type', [
  candidateSchema.options[0].extend(trainingLink),
  candidateSchema.options[1].extend(trainingLink),
  candidateSchema.options[2].extend(trainingLink),
  candidateSchema.options[3].extend(trainingLink),
]);

/** A registered candidate: the body it was registered with, plus its id and key. */
export const candidateResponseSchema = z.intersection(
  candidateSchema,
  z.object({
    candidate_id: z.string(),
    agent_id: z.string(),
    /** Unique per agent and type: the prompt version, model, adapter id or backend id. */
    key: z.string(),
    created_at: isoTime,
    /** Set when a trainer registered it as the artifact of this training request. */
    training_request_id: z.string().optional(),
  }),
);

export const candidateListResponseSchema = page(candidateResponseSchema);

/**
 * `POST /api/v1/agents/{agent_id}/deploy`: an operator's new stable config for the agent, in
 * force at once (a new revision whose parent is the current stable one).
 */
export const deployRequestSchema = z.strictObject({
  config: agentConfigSchema,
  /** Why, for the audit trail. */
  reason: storableString().min(1).max(LIMITS.shortText).optional(),
});

export const deployResponseSchema = z.object({
  agent_id: z.string(),
  /** The stable revision now. */
  revision_id: z.string(),
  /** The stable revision before (equal to `revision_id` when the config was the stable one already; null only for an agent that had none). */
  previous_revision_id: z.string().nullable(),
  /** False when the config was the stable one already: nothing changed. */
  changed: z.boolean(),
  /** The replaced prompt version, when this deploy registered it as a prompt candidate of the agent; null otherwise. */
  registered_prompt_candidate: z.string().nullable(),
});

/**
 * Body of the core-NATS message on `subjects.configChanged`, published whenever an agent's
 * live config changes (created, stable revision, rollout start, weight, status). Receivers
 * reload that agent and ignore a message whose version is not newer than what they hold; a
 * lost message only delays until their periodic resync. (No `pattern` or `data` keys: Nest's
 * deserializer would take the message for one of its own packets.)
 */
export const configChangedMessageSchema = z.object({
  agent_id: subjectToken,
  /** The agent's config version after the change; it grows by one with every change, in commit order. */
  version: z.number().int().positive(),
  /** What changed, e.g. `agent_created`, `rollout_weight`. */
  reason: z.string().min(1).max(64),
  /** When the change was committed; receivers measure propagation delay from it. */
  changed_at: isoTime,
});

/** `GET /api/v1/agents/{agent_id}/config?session_id=` on feedback-api. */
export const agentConfigQuerySchema = z.strictObject({
  session_id: z.string().min(1).max(LIMITS.sessionIdLength),
});

export const armSchema = z.enum(['stable', 'canary']);

/** The config a session runs with: the canary's while its sticky arm says so, else the stable one. */
export const agentConfigResponseSchema = z.object({
  agent_id: z.string(),
  revision_id: z.string(),
  /** The agent's active rollout (whichever arm the session is in); null when none runs. */
  rollout_id: z.string().nullable(),
  arm: armSchema,
  config: agentConfigSchema,
});

export type PageQuery = z.output<typeof pageQuerySchema>;
export type AgentListQuery = z.output<typeof agentListQuerySchema>;
export type CreateAgentRequest = z.input<typeof createAgentSchema>;
export type CreateAgentResponse = z.output<typeof createAgentResponseSchema>;
export type ActiveRollout = z.output<typeof activeRolloutSchema>;
export type AgentResponse = z.output<typeof agentResponseSchema>;
export type AgentListResponse = z.output<typeof agentListResponseSchema>;
export type RevisionResponse = z.output<typeof revisionResponseSchema>;
export type RevisionListResponse = z.output<typeof revisionListResponseSchema>;
export type ConfigChange = z.output<typeof configChangeSchema>;
export type LineDiff = z.output<typeof lineDiffSchema>;
export type RevisionDiffResponse = z.output<typeof revisionDiffResponseSchema>;
export type CandidateType = z.output<typeof candidateTypeSchema>;
export type CandidateListQuery = z.output<typeof candidateListQuerySchema>;
export type CandidateRegistration = z.output<typeof candidateRegistrationSchema>;
export type CandidateResponse = z.output<typeof candidateResponseSchema>;
export type CandidateListResponse = z.output<typeof candidateListResponseSchema>;
export type DeployRequest = z.input<typeof deployRequestSchema>;
export type DeployResponse = z.output<typeof deployResponseSchema>;
export type ConfigChangedMessage = z.output<typeof configChangedMessageSchema>;
export type AgentConfigQuery = z.output<typeof agentConfigQuerySchema>;
export type Arm = z.output<typeof armSchema>;
export type AgentConfigResponse = z.output<typeof agentConfigResponseSchema>;
