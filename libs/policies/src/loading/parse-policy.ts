import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { policySchema, type Policy } from '../policy.schema';

/** One thing wrong with a policy file: where (a dotted field path; null for YAML syntax) and why. */
export interface PolicyIssue {
  field_path: string | null;
  message: string;
}

export type ParsedPolicy = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

/** The policy a YAML text describes (defaults filled in), or every problem with it. */
export function parsePolicy(text: string): ParsedPolicy {
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    return { ok: false, issues: [yamlIssue(error)] };
  }
  // An empty document (`---`) means "all defaults", like `{}`.
  const result = policySchema.safeParse(document ?? {});
  return result.success
    ? { ok: true, policy: result.data }
    : { ok: false, issues: result.error.issues.flatMap(schemaIssues) };
}

function yamlIssue(error: unknown): PolicyIssue {
  if (!(error instanceof YAMLException)) return { field_path: null, message: `YAML: ${(error as Error).message}` };
  const where = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : '';
  return { field_path: null, message: `YAML: ${error.reason}${where}` };
}

function schemaIssues(issue: z.core.$ZodIssue): PolicyIssue[] {
  const path = issue.path.map(String);
  // One issue per unknown key, named where it stands: that is where the typo is.
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ field_path: [...path, key].join('.'), message: 'unknown field' }));
  return [{ field_path: path.join('.'), message: issue.message }];
}
