import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { mutationSchema, MUTATION_TYPES, type Finding, type MutationInput } from '@metaloop/contracts';
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
  private readonly url: string | undefined;
  private readonly model: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxConfidence: number;

  constructor(config: ConfigService<Env, true>) {
    this.url = config.get('LLM_PROPOSER_URL', { infer: true });
    this.model = config.get('LLM_PROPOSER_MODEL', { infer: true });
    this.apiKey = config.get('LLM_PROPOSER_API_KEY', { infer: true });
    this.timeoutMs = config.get('LLM_PROPOSER_TIMEOUT_MS', { infer: true });
    this.maxConfidence = config.get('LLM_PROPOSER_MAX_CONFIDENCE', { infer: true });
  }

  get enabled(): boolean {
    return this.url !== undefined;
  }

  async propose(finding: Finding, agent: AgentPlanningState): Promise<LlmProposal> {
    if (!this.url) return { reason: 'the LLM proposer is off' };
    let content: string;
    try {
      content = await this.complete(finding, agent);
    } catch (error) {
      this.logger.warn(`LLM proposer failed for finding ${finding.finding_id}: ${(error as Error).message}`);
      return { reason: `the LLM proposer failed: ${(error as Error).message}` };
    }
    return this.parse(content, finding, agent);
  }

  private async complete(finding: Finding, agent: AgentPlanningState): Promise<string> {
    const facts = {
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
    const response = await fetch(`${this.url!.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: this.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: JSON.stringify(facts) },
        ],
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`${response.status} ${(await response.text()).slice(0, 200)}`);
    const body = (await response.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('the answer has no choices[0].message.content');
    return content;
  }

  private parse(content: string, finding: Finding, agent: AgentPlanningState): LlmProposal {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')) as Record<string, unknown>;
    } catch {
      return { reason: 'the LLM proposer answered no JSON' };
    }
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
