-- Hourly feedback rollups: the same sums as feedback_rollups per hour, maintained by the
-- ingest consumer in the transaction that writes the minutes, so analysis over days reads
-- hours. Existing minutes are summed into hours here.

-- CreateTable
CREATE TABLE "feedback_rollups_hourly" (
    "agent_id" TEXT NOT NULL,
    "revision_id" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "success_n" INTEGER NOT NULL DEFAULT 0,
    "success_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "rating_count" INTEGER NOT NULL DEFAULT 0,
    "rating_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "rating_sum_sq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "helpful_up" INTEGER NOT NULL DEFAULT 0,
    "helpful_down" INTEGER NOT NULL DEFAULT 0,
    "complaints" INTEGER NOT NULL DEFAULT 0,
    "latency_count" INTEGER NOT NULL DEFAULT 0,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_hist" INTEGER[],
    "tokens_in" BIGINT NOT NULL DEFAULT 0,
    "tokens_out" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "feedback_rollups_hourly_pkey" PRIMARY KEY ("agent_id","revision_id","bucket")
);

-- CreateTable
CREATE TABLE "retrain_state" (
    "agent_id" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "samples_since" TIMESTAMPTZ(3) NOT NULL,
    "last_triggered_at" TIMESTAMPTZ(3),
    "last_reason" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "retrain_state_pkey" PRIMARY KEY ("agent_id")
);

-- CreateIndex
CREATE INDEX "feedback_rollups_hourly_bucket_idx" ON "feedback_rollups_hourly"("bucket");

-- Backfill from the minutes already stored (the histogram has 41 buckets).
INSERT INTO "feedback_rollups_hourly"
SELECT agent_id, revision_id, date_trunc('hour', bucket, 'UTC'),
    sum(count)::int, sum(success_n)::int, sum(success_sum), sum(errors)::int,
    sum(rating_count)::int, sum(rating_sum), sum(rating_sum_sq), sum(helpful_up)::int, sum(helpful_down)::int,
    sum(complaints)::int, sum(latency_count)::int, sum(latency_sum_ms),
    ARRAY[
    coalesce(sum(latency_hist[1]), 0)::int,
    coalesce(sum(latency_hist[2]), 0)::int,
    coalesce(sum(latency_hist[3]), 0)::int,
    coalesce(sum(latency_hist[4]), 0)::int,
    coalesce(sum(latency_hist[5]), 0)::int,
    coalesce(sum(latency_hist[6]), 0)::int,
    coalesce(sum(latency_hist[7]), 0)::int,
    coalesce(sum(latency_hist[8]), 0)::int,
    coalesce(sum(latency_hist[9]), 0)::int,
    coalesce(sum(latency_hist[10]), 0)::int,
    coalesce(sum(latency_hist[11]), 0)::int,
    coalesce(sum(latency_hist[12]), 0)::int,
    coalesce(sum(latency_hist[13]), 0)::int,
    coalesce(sum(latency_hist[14]), 0)::int,
    coalesce(sum(latency_hist[15]), 0)::int,
    coalesce(sum(latency_hist[16]), 0)::int,
    coalesce(sum(latency_hist[17]), 0)::int,
    coalesce(sum(latency_hist[18]), 0)::int,
    coalesce(sum(latency_hist[19]), 0)::int,
    coalesce(sum(latency_hist[20]), 0)::int,
    coalesce(sum(latency_hist[21]), 0)::int,
    coalesce(sum(latency_hist[22]), 0)::int,
    coalesce(sum(latency_hist[23]), 0)::int,
    coalesce(sum(latency_hist[24]), 0)::int,
    coalesce(sum(latency_hist[25]), 0)::int,
    coalesce(sum(latency_hist[26]), 0)::int,
    coalesce(sum(latency_hist[27]), 0)::int,
    coalesce(sum(latency_hist[28]), 0)::int,
    coalesce(sum(latency_hist[29]), 0)::int,
    coalesce(sum(latency_hist[30]), 0)::int,
    coalesce(sum(latency_hist[31]), 0)::int,
    coalesce(sum(latency_hist[32]), 0)::int,
    coalesce(sum(latency_hist[33]), 0)::int,
    coalesce(sum(latency_hist[34]), 0)::int,
    coalesce(sum(latency_hist[35]), 0)::int,
    coalesce(sum(latency_hist[36]), 0)::int,
    coalesce(sum(latency_hist[37]), 0)::int,
    coalesce(sum(latency_hist[38]), 0)::int,
    coalesce(sum(latency_hist[39]), 0)::int,
    coalesce(sum(latency_hist[40]), 0)::int,
    coalesce(sum(latency_hist[41]), 0)::int
    ],
    sum(tokens_in)::bigint, sum(tokens_out)::bigint, sum(cost_usd)
FROM "feedback_rollups"
GROUP BY agent_id, revision_id, date_trunc('hour', bucket, 'UTC');
