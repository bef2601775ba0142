import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { mutationSchema, MUTATION_TYPES, type Finding, type MutationInput } from '@metaloop/contracts';
import { JsonChatClient, JsonChatError } from '../../common/json-chat-client';
import type { Env } from '../../config/env.schema';
import { mutationRisk } from './mutation-risk';
import type { AgentPlanningState } from './planning-context';

export type LlmProposal = { mutation: MutationInput } | { reason: string };

const SYSTEM_PROMPT = `You propose ONE configuration mutation for an LLM agent that has a measured problem.
Answer with a single JSON object and nothing else:
{"type": one of ${MUTATION_TYPES.join(', ')}, "params": {...}, "confidence": 0..1, "risk": 1..10,
 "expected_impact": {"metric": string, "direction": "increase"|"decrease", "relative_change": number},
 "rationale": string}
params by type: PROMPT_PATCH {"source":"candidate","version":<registered version>} or {"source":"rule","rule":<id>,"instruction":<text>};
MODEL_SWAP {"model":<registered model>}; LORA_APPLY {"action":"attach"|"detach","adapter_id":<registered adapter>};
ROUTE_CHANGE {"weights":{<backend>:<percent>}}; PARAM_SET {"set":{...},"unset":[...]};
MEMORY_UPDATE {"facts":{"add":[{"id","text","weight"}],"remove":[ids],"reweight":[{"id","weight"}]}}.
Only use registered candidates. Prefer the smallest change that addresses the evidence. If nothing fits, answer {"none": "<why>"}.`;

/**
 * The optional LLM proposer (an OpenAI-compatible chat completions endpoint, off unless
 * LLM_PROPOSER_URL is set). Its answer is only a suggestion: it must parse as a typed mutation
 * for the asked agent, its confidence is capped and its risk is never below the rule-based
 * risk of its type, and it then passes the same SPEC gates as every other mutation.
 */
@Injectable()
export class LlmProposer {
  private readonly logger = new Logger(LlmProposer.name);
  private readonly client: JsonChatClient | undefined;
  private readonly model: string;
  private readonly maxConfidence: number;

  constructor(config: ConfigService<Env, true>) {
    const url = config.get('LLM_PROPOSER_URL', { infer: true });
    this.model = config.get('LLM_PROPOSER_MODEL', { infer: true });
    this.maxConfidence = config.get('LLM_PROPOSER_MAX_CONFIDENCE', { infer: true });
    this.client =
      url === undefined
        ? undefined
        : new JsonChatClient({
            url,
            model: this.model,
            apiKey: config.get('LLM_PROPOSER_API_KEY', { infer: true }),
            timeoutMs: config.get('LLM_PROPOSER_TIMEOUT_MS', { infer: true }),
          });
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  async propose(finding: Finding, agent: AgentPlanningState): Promise<LlmProposal> {
    if (!this.client) return { reason: 'the LLM proposer is off' };
    let json: unknown;
    try {
      json = await this.client.json({ system: SYSTEM_PROMPT, user: JSON.stringify(facts(finding, agent)) });
    } catch (error) {
      if (error instanceof JsonChatError && error.failure === 'bad_json')
        return { reason: 'the LLM proposer answered no JSON' };
      const message =
        error instanceof JsonChatError && error.failure === 'status'
          ? `${error.status} ${error.body}`
          : (error as Error).message;
      this.logger.warn(`LLM proposer failed for finding ${finding.finding_id}: ${message}`);
      return { reason: `the LLM proposer failed: ${message}` };
    }
    return this.parse(json, finding, agent);
  }

  private parse(answer: unknown, finding: Finding, agent: AgentPlanningState): LlmProposal {
    const json = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
    if (typeof json['none'] === 'string')
      return { reason: `the LLM proposer found nothing: ${json['none'].slice(0, 300)}` };
    const parsed = mutationSchema.safeParse({ ...json, agent_id: agent.agentId });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { reason: `the LLM proposal is no valid mutation (${issue.path.join('.') || 'body'}: ${issue.message})` };
    }
    const m = parsed.data;
    return {
      mutation: {
        ...m,
        confidence: Math.min(m.confidence, this.maxConfidence, finding.confidence),
        risk: Math.max(m.risk, mutationRisk(m.type, agent.environment, false)),
        rationale: `LLM proposal (${this.model}): ${m.rationale} — for ${finding.summary}`,
        rollback_spec: {
          restore_revision_id: agent.stableRevisionId,
          side_effects: m.type === 'LORA_APPLY' ? ['lora_unload'] : m.type === 'ROUTE_CHANGE' ? ['router_restore'] : [],
          automatic: true,
        },
      } as MutationInput,
    };
  }
}

/** What the model is shown: the finding, the agent's stable config, its registered candidates, what not to propose again. */
function facts(finding: Finding, agent: AgentPlanningState) {
  return {
    finding: {
      type: finding.type,
      severity: finding.severity,
      confidence: finding.confidence,
      summary: finding.summary,
      evidence: finding.evidence,
    },
    agent: { agent_id: agent.agentId, environment: agent.environment, config: agent.stable },
    registered_candidates: agent.candidates,
    not_again: [...agent.recentlyRefused],
  };
}
