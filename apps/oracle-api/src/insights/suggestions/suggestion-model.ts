import { z } from 'zod';
import { JsonChatClient } from '../../common/json-chat-client';
import type { SuggestionAreaKind, SuggestionProblem } from './suggestion-rules';

/*
 * The optional model behind suggestions: an OpenAI-compatible chat completions endpoint or
 * Anthropic's messages API. It is shown the agent's prompt and its worst areas (figures,
 * complaints, corrections) and answers prompt patches as JSON; the answer counts only when it
 * parses and names areas it was asked about. Any failure is a reason the rules answer instead.
 */

export type SuggestionModelKind = 'openai' | 'anthropic';

export interface SuggestionModelSettings {
  kind: SuggestionModelKind;
  /** The API's base URL with its version: `https://api.openai.com/v1`, `https://api.anthropic.com/v1`. */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

/** One area the model is asked about. */
export interface ModelArea {
  area: string;
  area_kind: SuggestionAreaKind;
  problem: SuggestionProblem;
  complaints: readonly string[];
  corrections: readonly string[];
  top_signals: ReadonlyArray<{ signal: string; count: number }>;
}

export interface ModelSuggestion {
  area: string;
  area_kind: SuggestionAreaKind;
  suggestion: string;
  prompt_patch: string;
}

/** The answer the model must give (validated; extra fields are ignored). */
export const modelAnswerSchema = z.object({
  suggestions: z
    .array(
      z.object({
        area: z.string().min(1).max(200),
        area_kind: z.enum(['tag', 'framework', 'corrections']),
        suggestion: z.string().trim().min(1).max(2_000),
        prompt_patch: z.string().trim().min(1).max(4_000),
      }),
    )
    .max(50),
});

export const SYSTEM_PROMPT = `You improve the system prompt of an LLM agent from its users' feedback.
You get the agent's current prompt template and its worst areas (a tag, a framework, or its users' corrections) with
counts, rates, complaints and corrections. For each area propose ONE concrete change: a short instruction to append to the
system prompt that addresses what users complained about or corrected. Answer with a single JSON object and nothing else:
{"suggestions": [{"area": <the area as given>, "area_kind": "tag"|"framework"|"corrections",
 "suggestion": <one sentence for a person: what to change and why, citing the figures>,
 "prompt_patch": <the exact text to append to the prompt, imperative, at most a few sentences>}]}`;

const PROMPT_CHARS = 4_000;

/** The user message: the agent, its prompt (bounded) and the areas, as JSON. */
export function modelRequest(agentId: string, promptTemplate: string | null, areas: readonly ModelArea[]): string {
  return JSON.stringify({
    agent_id: agentId,
    prompt_template: promptTemplate === null ? null : promptTemplate.slice(0, PROMPT_CHARS),
    areas,
  });
}

export type ParsedModelAnswer = { suggestions: ModelSuggestion[] } | { error: string };

/** The model's text → suggestions for areas it was asked about (one per area, first wins), or why not. Pure. */
export function parseModelAnswer(content: string, areas: readonly ModelArea[]): ParsedModelAnswer {
  let json: unknown;
  try {
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { error: 'the model answered no JSON' };
  }
  const parsed = modelAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      error: `the model's answer does not match the schema (${issue.path.join('.') || 'body'}: ${issue.message})`,
    };
  }
  const asked = new Set(areas.map((a) => `${a.area_kind}:${a.area}`));
  const seen = new Set<string>();
  const suggestions: ModelSuggestion[] = [];
  for (const s of parsed.data.suggestions) {
    const key = `${s.area_kind}:${s.area}`;
    if (!asked.has(key) || seen.has(key)) continue;
    seen.add(key);
    suggestions.push(s);
  }
  if (suggestions.length === 0) return { error: 'the model suggested nothing for the areas it was asked about' };
  return { suggestions };
}

/** Why a call failed, in words for `fallback_reason`. */
export class ModelCallError extends Error {}

/** One call to the configured API; the text of its answer, or a ModelCallError saying what went wrong. */
export async function callModel(settings: SuggestionModelSettings, user: string): Promise<string> {
  try {
    return await new JsonChatClient(settings).text({ system: SYSTEM_PROMPT, user });
  } catch (error) {
    throw new ModelCallError((error as Error).message);
  }
}
