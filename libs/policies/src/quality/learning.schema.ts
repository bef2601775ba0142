import { z } from 'zod';

const fraction = (value: number) => z.number().min(0).max(1).default(value);
const positiveInt = (value: number) => z.number().int().min(1).default(value);
const weight = (value: number) => z.number().min(0).default(value);

/**
 * The quality score of one feedback event, in [0, 1]: the weighted mean of the signals it
 * carries (see qualityScore). An event carrying none has no score.
 */
export const qualitySchema = z.strictObject({
  rating_weight: weight(0.4),
  helpful_weight: weight(0.3),
  success_weight: weight(0.2),
  /** Registered boolean metrics, counted in their optimize direction. */
  metrics_weight: weight(0.1),
});

/** Which interactions become examples (DICL, seed 000), and how many are kept. */
export const examplesPolicySchema = z.strictObject({
  /** An event with artifacts is an example when its quality is at least this, and it has no complaint. */
  min_quality: fraction(0.7),
  max_per_agent: positiveInt(10_000),
  retention_days: positiveInt(90),
});

/** When the planner proposes dynamic examples for an agent with a quality or dissatisfaction finding. */
export const diclPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Active examples the agent needs before retrieval is worth proposing. */
  min_examples: positiveInt(20),
  k: z.number().int().min(1).max(20).default(4),
  min_similarity: fraction(0.3),
});

/** Training datasets (seed 001's pipeline). */
export const datasetsPolicySchema = z.strictObject({
  min_quality: fraction(0.7),
  /** Share of the dataset drawn from older accepted examples, so a fine-tune does not forget. */
  rehearsal_share: fraction(0.1),
  validation_share: fraction(0.1),
  /** Seed of the deterministic train/validation split. */
  seed: z.number().int().default(42),
  /** A retrain trigger's dataset with fewer train lines than this is kept but not handed to the trainer. */
  min_train_lines: positiveInt(1),
});

export const learningSchema = z.strictObject({
  quality: qualitySchema.prefault({}),
  examples: examplesPolicySchema.prefault({}),
  dicl: diclPolicySchema.prefault({}),
  datasets: datasetsPolicySchema.prefault({}),
});

export type QualityWeights = z.output<typeof qualitySchema>;
export type LearningPolicy = z.output<typeof learningSchema>;
