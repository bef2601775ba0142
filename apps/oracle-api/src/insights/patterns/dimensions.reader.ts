import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import type { DimensionSums } from './group-stats';

/**
 * The dimension rollups of a window summed per (dim, value) — never raw events: the tags and
 * context values as stored, and the `*` rows joined with their revisions for the model and
 * the prompt version (prefixed with the agent when the window spans agents: versions are per agent).
 * `contextDims` null = every context key.
 */
const SUMMED_DIMENSIONS = `
WITH w AS (
  SELECT agent_id, revision_id, dim, value, count, positive, negative, rating_count, rating_sum, rating_sum_sq
  FROM feedback_dimension_rollups_hourly
  WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz
    AND ($3::text IS NULL OR agent_id = $3::text)
    AND (dim IN ('*', 'tag') OR ($4::text[] IS NULL AND dim LIKE 'context.%') OR dim = ANY($4::text[]))
), revisioned AS (
  SELECT w.*, r.config->>'model' AS model, r.config#>>'{prompt,version}' AS prompt_version
  FROM w LEFT JOIN revisions r ON r.id = w.revision_id AND r.agent_id = w.agent_id
  WHERE w.dim = '*'
), grouped AS (
  SELECT dim, value, count, positive, negative, rating_count, rating_sum, rating_sum_sq FROM w
  UNION ALL
  SELECT 'model', coalesce(model, 'unknown'), count, positive, negative, rating_count, rating_sum, rating_sum_sq FROM revisioned
  UNION ALL
  SELECT 'prompt_version', CASE WHEN $3::text IS NULL THEN agent_id || ':' ELSE '' END || coalesce(prompt_version, 'unknown'),
    count, positive, negative, rating_count, rating_sum, rating_sum_sq FROM revisioned
)
SELECT dim, value, sum(count)::int AS count, sum(positive)::int AS positive, sum(negative)::int AS negative,
  sum(rating_count)::int AS rating_count, sum(rating_sum)::float8 AS rating_sum, sum(rating_sum_sq)::float8 AS rating_sum_sq
FROM grouped GROUP BY dim, value`;

@Injectable()
export class DimensionsReader {
  constructor(private readonly prisma: PrismaService) {}

  /** Summed rows of [from, to) (hours starting in it), of one agent or all; `contextKeys` null = every key. */
  sums(from: Date, to: Date, agentId: string | null, contextKeys: readonly string[] | null): Promise<DimensionSums[]> {
    return this.prisma.$queryRawUnsafe<DimensionSums[]>(
      SUMMED_DIMENSIONS,
      from.toISOString(),
      to.toISOString(),
      agentId,
      contextKeys === null ? null : contextKeys.map((key) => `context.${key}`),
    );
  }
}
