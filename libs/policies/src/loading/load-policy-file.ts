import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Policy } from '../policy.schema';
import { contentHash } from '@metaloop/core';
import { activeOverrides, applyOverrides, type PolicyOverrides } from './overrides';
import { parsePolicy, type PolicyIssue } from './parse-policy';

/** The policy in force: the file's, with the environment overrides applied. */
export interface EffectivePolicy {
  policy: Policy;
  /** sha256 of the effective policy's canonical JSON: equal policies, equal versions. */
  version: string;
  /** Absolute path of the file it was read from. */
  source_path: string;
  /** The environment overrides that are set (they win over the file). */
  overrides: PolicyOverrides;
  loaded_at: string;
}

/** A policy file that cannot be used, naming the file and, per problem, the field and the reason. */
export class PolicyLoadError extends Error {
  readonly reason: string;

  constructor(
    readonly path: string,
    readonly issues: PolicyIssue[],
  ) {
    const reason = issues
      .map((issue) =>
        issue.field_path === null ? issue.message : `${issue.field_path || '(document)'}: ${issue.message}`,
      )
      .join('; ');
    super(`policy file ${path} rejected: ${reason}`);
    this.name = 'PolicyLoadError';
    this.reason = reason;
  }
}

/** Reads, validates and hashes a policy file; throws PolicyLoadError when it cannot be used. */
export function loadPolicyFile(path: string, overrides: PolicyOverrides = {}, now: Date = new Date()): EffectivePolicy {
  const sourcePath = resolve(path);
  let text: string;
  try {
    text = readFileSync(sourcePath, 'utf8');
  } catch (error) {
    throw new PolicyLoadError(sourcePath, [
      {
        field_path: null,
        message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      },
    ]);
  }
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new PolicyLoadError(sourcePath, parsed.issues);
  const policy = applyOverrides(parsed.policy, overrides);
  return {
    policy,
    version: contentHash(policy),
    source_path: sourcePath,
    overrides: activeOverrides(overrides),
    loaded_at: now.toISOString(),
  };
}
