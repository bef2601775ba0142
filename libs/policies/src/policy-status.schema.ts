import { z } from 'zod';
import { policySchema } from './policy.schema';

const issue = z.strictObject({ field_path: z.string().nullable(), message: z.string() });

/** `GET /api/v1/oracle/policies`: the policy in force, its version, where it came from, and the last refused reload. */
export const policyStatusSchema = z.strictObject({
  policy: policySchema,
  version: z.string().regex(/^[0-9a-f]{64}$/),
  source_path: z.string(),
  overrides: z.record(z.string(), z.union([z.number(), z.boolean()])),
  loaded_at: z.iso.datetime({ offset: true }),
  /** Set while the file on disk is not the policy in force (cleared by the next valid load). */
  last_rejected: z
    .strictObject({ path: z.string(), reason: z.string(), issues: z.array(issue), rejected_at: z.iso.datetime({ offset: true }) })
    .nullable(),
});

export type PolicyStatusResponse = z.output<typeof policyStatusSchema>;
