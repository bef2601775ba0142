import { z } from 'zod';
import { policySchema } from './policy.schema';

const isoTime = z.iso.datetime({ offset: true });

/** A reload that was refused: the previous policy stayed in force. */
export const policyRejectionSchema = z.strictObject({
  path: z.string(),
  /** Every problem, `field.path: why`, joined. */
  reason: z.string(),
  issues: z.array(z.strictObject({ field_path: z.string().nullable(), message: z.string() })),
  rejected_at: isoTime,
});

/** `GET /api/v1/oracle/policies`: the policy in force, its version, where it came from, and the last refused reload. */
export const policyStatusSchema = z.strictObject({
  policy: policySchema,
  version: z.string().regex(/^[0-9a-f]{64}$/),
  source_path: z.string(),
  /** The environment overrides that are set. */
  overrides: z.strictObject({
    ORACLE_CONFIDENCE_THRESHOLD: z.number().optional(),
    ORACLE_MAX_MUTATIONS_PER_HOUR: z.number().optional(),
    ORACLE_AUTO_ROLLBACK: z.boolean().optional(),
    REQUIRE_APPROVAL_FOR_HIGH_RISK: z.boolean().optional(),
    CANARY_DEPLOYMENT_PERCENT: z.number().optional(),
  }),
  loaded_at: isoTime,
  /** Set while the file on disk is not the policy in force (cleared by the next valid load). */
  last_rejected: policyRejectionSchema.nullable(),
});

export type PolicyRejection = z.output<typeof policyRejectionSchema>;
export type PolicyStatus = z.output<typeof policyStatusSchema>;
