import { agentConfigSchema, type AgentConfig, type AgentConfigInput } from '@metaloop/contracts';
import { contentHash } from '@metaloop/core';
import { RegistryInputError } from './registry.errors';

export interface RevisionIdentity {
  /** `rev_` + 24 hex digits of sha256(canonical JSON of {agent_id, config}). */
  revisionId: string;
  /** sha256 (hex) of the canonical JSON of the config alone. */
  configHash: string;
  /** The config with the schema's defaults applied: what is stored and hashed. */
  config: AgentConfig;
}

/**
 * What makes a revision itself: the same agent and config, however it was written (key order,
 * defaults left out or spelled out), always give the same id, so storing it twice is a no-op.
 */
export function revisionIdentity(agentId: string, input: AgentConfigInput | AgentConfig): RevisionIdentity {
  const parsed = agentConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`);
    throw new RegistryInputError(`invalid agent config: ${issues.join('; ')}`);
  }
  const config = parsed.data;
  return {
    revisionId: `rev_${contentHash({ agent_id: agentId, config }).slice(0, 24)}`,
    configHash: contentHash(config),
    config,
  };
}
