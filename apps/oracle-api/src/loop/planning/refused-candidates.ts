import { agentConfigSchema, mutationSchema, type AgentConfig } from '@metaloop/contracts';

/** The refusal key of dynamic examples with k examples: a refused k is not proposed again, another may be. */
export const dynamicExamplesKey = (k: number) => `dynamic_examples:k=${k}`;

/**
 * Candidate keys a candidate config introduces over its stable one: its prompt version, model,
 * new LoRA adapters, and dynamic examples turned on or retuned.
 */
export function introducedKeys(stable: AgentConfig, candidate: AgentConfig): string[] {
  const keys: string[] = [];
  if (candidate.prompt.version !== stable.prompt.version) keys.push(candidate.prompt.version);
  if (candidate.model !== stable.model) keys.push(candidate.model);
  for (const adapter of candidate.lora) if (!stable.lora.includes(adapter)) keys.push(adapter);
  const dynamic = candidate.dynamic_examples;
  if (dynamic && dynamic.k !== stable.dynamic_examples?.k) keys.push(dynamicExamplesKey(dynamic.k));
  return keys;
}

/** Candidate keys a rejected mutation proposed (`stableVersion` names the prompt a rule patch was for). */
export function proposedKeys(
  mutation: { type: string; params: unknown; agent_id: string },
  stableVersion: string | undefined,
): string[] {
  const parsed = mutationSchema.safeParse({
    ...mutation,
    confidence: 1,
    risk: 1,
    rationale: '-',
    expected_impact: { metric: '-', direction: 'increase', relative_change: 0 },
  });
  if (!parsed.success) return [];
  const m = parsed.data;
  switch (m.type) {
    case 'PROMPT_PATCH':
      return [m.params.source === 'candidate' ? m.params.version : `${stableVersion}:${m.params.rule}`];
    case 'MODEL_SWAP':
      return [m.params.model];
    case 'LORA_APPLY':
      return [m.params.adapter_id];
    case 'MEMORY_UPDATE':
      return m.params.dynamic_examples ? [dynamicExamplesKey(m.params.dynamic_examples.k)] : [];
    default:
      return [];
  }
}

export const parseConfig = (value: unknown): AgentConfig | null => {
  const parsed = agentConfigSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
};
