import { Injectable } from '@nestjs/common';
import { PrismaService, type Rollout } from '@metaloop/db';
import { LATENCY_BUCKETS } from '@metaloop/core';
import type { Policy } from '@metaloop/policies';
import { emptySums, type ArmSums } from './analysis/arm-sums';
import type { LookReadings } from './analysis/decide-look';
import type { RegisteredMetricReading } from './analysis/guarded-tests';

const MINUTE_MS = 60_000;
const SCALARS = [
  'count',
  'success_n',
  'success_sum',
  'errors',
  'rating_count',
  'rating_sum',
  'rating_sum_sq',
  'helpful_up',
  'helpful_down',
  'complaints',
  'latency_count',
] as const;
const HISTOGRAM = `ARRAY[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `coalesce(sum(latency_hist[${i + 1}]), 0)::int`).join(', ')}]`;

/** Both arms' minute rollups since the rollout began, split at the start of the hard thresholds' window. */
const FEEDBACK_SQL = `
  SELECT revision_id, bucket >= $4 AS recent, ${SCALARS.map((c) => `sum(${c})::float8 AS ${c}`).join(', ')}, ${HISTOGRAM} AS latency_hist
    FROM feedback_rollups
   WHERE agent_id = $1 AND revision_id = ANY($2::text[]) AND bucket >= $3
   GROUP BY 1, 2`;

const METRICS_SQL = `
  SELECT m.revision_id, m.metric, d.type::text AS type, d.optimize::text AS optimize,
         sum(m.count)::float8 AS n, sum(m.sum)::float8 AS sum, sum(m.sum_sq)::float8 AS sum_sq
    FROM metric_rollups m JOIN metric_definitions d ON d.name = m.metric
   WHERE m.agent_id = $1 AND m.revision_id = ANY($2::text[]) AND m.bucket >= $3
   GROUP BY 1, 2, 3, 4`;

type FeedbackRow = { revision_id: string; recent: boolean; latency_hist: number[] } & Record<
  (typeof SCALARS)[number],
  number
>;
interface MetricRow {
  revision_id: string;
  metric: string;
  type: 'boolean' | 'float';
  optimize: 'max' | 'min';
  n: number;
  sum: number;
  sum_sq: number;
}

const minuteOf = (time: Date) => new Date(Math.floor(time.getTime() / MINUTE_MS) * MINUTE_MS);

/**
 * What the monitor compares, read from the rollups per (agent, revision): the canary is the
 * candidate revision, stable the stable one, both from the rollout's `evidence_from` minute (the
 * one it started in, or the next when the candidate had served earlier in it; the ingest
 * consumer keeps the current minute up to date, so this is live). The recent window of
 * both arms (the hard thresholds judge the canary against stable in the same minutes) is the
 * last `auto_rollback.max_complaints.window_minutes`, in whole minutes.
 */
@Injectable()
export class RolloutReadings {
  constructor(private readonly prisma: PrismaService) {}

  async read(
    rollout: Pick<Rollout, 'agentId' | 'stableRevisionId' | 'candidateRevisionId' | 'startedAt' | 'evidenceFrom'>,
    policy: Policy,
    now: Date,
  ): Promise<LookReadings> {
    const since = minuteOf(rollout.evidenceFrom ?? rollout.startedAt ?? now);
    const recentSince = new Date(
      Math.max(
        since.getTime(),
        minuteOf(now).getTime() - (policy.auto_rollback.max_complaints.window_minutes - 1) * MINUTE_MS,
      ),
    );
    const revisions = [rollout.candidateRevisionId, rollout.stableRevisionId];
    const [feedback, metrics] = await Promise.all([
      this.prisma.$queryRawUnsafe<FeedbackRow[]>(FEEDBACK_SQL, rollout.agentId, revisions, since, recentSince),
      this.prisma.$queryRawUnsafe<MetricRow[]>(METRICS_SQL, rollout.agentId, revisions, since),
    ]);
    const readings: LookReadings = {
      canary: emptySums(),
      stable: emptySums(),
      recentCanary: emptySums(),
      recentStable: emptySums(),
      registered: [],
    };
    for (const row of feedback) {
      const canary = row.revision_id === rollout.candidateRevisionId;
      addRow(canary ? readings.canary : readings.stable, row);
      if (row.recent) addRow(canary ? readings.recentCanary : readings.recentStable, row);
    }
    const byMetric = new Map<string, RegisteredMetricReading>();
    for (const row of metrics) {
      let reading = byMetric.get(row.metric);
      if (!reading)
        byMetric.set(
          row.metric,
          (reading = {
            name: row.metric,
            type: row.type,
            optimize: row.optimize,
            canary: { n: 0, sum: 0, sumSq: 0 },
            stable: { n: 0, sum: 0, sumSq: 0 },
          }),
        );
      reading[row.revision_id === rollout.candidateRevisionId ? 'canary' : 'stable'] = {
        n: row.n,
        sum: row.sum,
        sumSq: row.sum_sq,
      };
    }
    readings.registered = [...byMetric.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    return readings;
  }
}

function addRow(into: ArmSums, row: FeedbackRow): void {
  into.count += row.count;
  into.successN += row.success_n;
  into.successSum += row.success_sum;
  into.errors += row.errors;
  into.ratingCount += row.rating_count;
  into.ratingSum += row.rating_sum;
  into.ratingSumSq += row.rating_sum_sq;
  into.helpfulUp += row.helpful_up;
  into.helpfulDown += row.helpful_down;
  into.complaints += row.complaints;
  into.latencyCount += row.latency_count;
  row.latency_hist.forEach((n, i) => (into.latencyHist[i]! += n));
}
