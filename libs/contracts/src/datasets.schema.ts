import { z } from 'zod';
import { auditEntrySchema } from './control.schema';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';
import { storableString } from './storable-text';

/*
 * Training datasets (seed 001's pipeline), the training requests that hand them to a trainer,
 * and the `training.requested` announcement. oracle-api builds and serves them; the trainer
 * answers by registering its artifact as a candidate with `training_request_id`.
 */

const isoTime = z.iso.datetime({ offset: true });

const DATASET_KINDS = ['sft', 'preference'] as const;
const datasetKindSchema = z.enum(DATASET_KINDS);
const datasetStatusSchema = z.enum(['building', 'ready', 'failed']);
/** `skipped`: the dataset had fewer train lines than `learning.datasets.min_train_lines`; the trainer was not asked. */
const trainingRequestStatusSchema = z.enum(['requested', 'delivered', 'completed', 'failed', 'skipped']);
/** The files of a dataset: `train.jsonl`, `validation.jsonl` and `manifest.json`. */
const datasetFileSchema = z.enum(['train', 'validation', 'manifest']);
/** The `{file}` path parameter, its issue naming it (as pathId does). */
export const datasetFileParam = z
  .string()
  .superRefine((value, ctx) => {
    if (!datasetFileSchema.safeParse(value).success)
      ctx.addIssue({ code: 'custom', message: 'must be train, validation or manifest', path: ['file'] });
  })
  .transform((value) => value as z.output<typeof datasetFileSchema>);

/** `POST /api/v1/datasets`: build a dataset of the agent's feedback (a job; 202 with the row while it builds). */
export const createDatasetSchema = z
  .strictObject({
    agent_id: subjectToken,
    /** Only events of this revision (the revision that produced the output). */
    revision_id: storableString().min(1).max(LIMITS.idLength).optional(),
    /** The window of feedback (occurred_at); default: everything up to now. */
    from: isoTime.optional(),
    to: isoTime.optional(),
    /** `sft`: chat-format examples; `preference`: chosen/rejected pairs from selection logs (DPO). */
    kind: datasetKindSchema.default('sft'),
  })
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), {
    message: 'from must be before to',
    path: ['from'],
  });

export const datasetListQuerySchema = z.strictObject({
  agent_id: storableString().min(1).max(LIMITS.idLength).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const fileEntrySchema = z.object({
  /** Relative to the dataset's folder. */
  path: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
  lines: z.number().int(),
});

/** What a dataset holds and how it was made: counts at every filter stage, the files, the filters. */
const datasetManifestSchema = z.object({
  dataset_id: z.string(),
  agent_id: z.string(),
  kind: datasetKindSchema,
  /** `messages` (OpenAI/vLLM chat fine-tuning) or `preference` (prompt, chosen, rejected). */
  format: z.enum(['messages', 'preference']),
  window: z.object({ from: isoTime, to: isoTime }),
  counts: z.object({
    /** Events of the agent (and revision) in the window. */
    scanned: z.number().int(),
    /** …carrying artifacts {input, output} (preference: a selection with options and the input). */
    with_artifacts: z.number().int(),
    /** …whose quality score is at least min_quality (corrections pass: the corrected output is the answer). */
    quality_passed: z.number().int(),
    /** …without a complaint. */
    positive: z.number().int(),
    /** …distinct by the content hash of {input, output}. */
    deduplicated: z.number().int(),
    /** Older accepted examples merged in (rehearsal). */
    rehearsal_added: z.number().int(),
    /** Lines written (preference: one per rejected option). */
    train: z.number().int(),
    validation: z.number().int(),
  }),
  files: z.object({ train: fileEntrySchema, validation: fileEntrySchema }),
  filters: z.object({
    min_quality: z.number(),
    rehearsal_share: z.number(),
    validation_share: z.number(),
    seed: z.number().int(),
    revision_id: z.string().nullable(),
    quality_weights: z.record(z.string(), z.number()),
  }),
  built_at: isoTime,
});

export const datasetResponseSchema = z.object({
  dataset_id: z.string(),
  agent_id: z.string(),
  revision_id: z.string().nullable(),
  kind: datasetKindSchema,
  status: datasetStatusSchema,
  from: isoTime,
  to: isoTime,
  params: z.record(z.string(), z.unknown()),
  /** Null while building. */
  manifest: datasetManifestSchema.nullable(),
  /** The dataset's folder, relative to oracle-api's DATASETS_DIR; null while building. */
  location: z.string().nullable(),
  error: z.string().nullable(),
  created_by: z.string(),
  created_at: isoTime,
  completed_at: isoTime.nullable(),
});

export const datasetListResponseSchema = z.object({ items: z.array(datasetResponseSchema) });

const trainingRequestViewSchema = z.object({
  training_request_id: z.string(),
  agent_id: z.string(),
  dataset_id: z.string(),
  /** The retrain trigger (sample_count, scheduled, quality_drop, error_rate) or `manual`. */
  reason: z.string(),
  finding_id: z.string().nullable(),
  status: trainingRequestStatusSchema,
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  created_at: isoTime,
  delivered_at: isoTime.nullable(),
  completed_at: isoTime.nullable(),
});

/** `GET /api/v1/training-requests/{id}`: the chain finding → dataset → request → candidate → rollouts, and its audit. */
export const trainingChainResponseSchema = z.object({
  training_request: trainingRequestViewSchema,
  dataset: datasetResponseSchema,
  /** The artifact the trainer registered; null until then. */
  candidate: z.object({ candidate_id: z.string(), type: z.string(), key: z.string(), created_at: isoTime }).nullable(),
  /** Mutations that switched the agent to the candidate (by its key), with their rollouts. */
  mutations: z.array(
    z.object({
      mutation_id: z.string(),
      plan_id: z.string(),
      type: z.string(),
      status: z.string(),
      rollout_id: z.string().nullable(),
      rollout_status: z.string().nullable(),
    }),
  ),
  audit: z.array(auditEntrySchema),
});

/** `training.requested` (core NATS) and the body POSTed, signed, to the trainer's webhook. */
export const trainingRequestedMessageSchema = z.object({
  training_request_id: z.string(),
  agent_id: z.string(),
  dataset_id: z.string(),
  kind: datasetKindSchema,
  reason: z.string(),
  finding_id: z.string().nullable(),
  /** The dataset's folder, relative to DATASETS_DIR (the trainer shares the volume or downloads the files). */
  location: z.string(),
  /** `GET` paths of the files on oracle-api. */
  files: z.object({ train: z.string(), validation: z.string(), manifest: z.string() }),
  manifest: datasetManifestSchema,
  requested_at: isoTime,
});

export type CreateDatasetRequest = z.output<typeof createDatasetSchema>;
export type DatasetKind = z.output<typeof datasetKindSchema>;
export type DatasetFile = z.output<typeof datasetFileSchema>;
export type DatasetListQuery = z.output<typeof datasetListQuerySchema>;
export type DatasetManifest = z.output<typeof datasetManifestSchema>;
export type DatasetResponse = z.output<typeof datasetResponseSchema>;
export type DatasetListResponse = z.output<typeof datasetListResponseSchema>;
export type TrainingRequestView = z.output<typeof trainingRequestViewSchema>;
export type TrainingChainResponse = z.output<typeof trainingChainResponseSchema>;
export type TrainingRequestedMessage = z.output<typeof trainingRequestedMessageSchema>;
