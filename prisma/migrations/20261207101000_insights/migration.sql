-- Patterns and reports (seed 003, issue 16): hourly counts per tag / context value with the
-- policy's success verdicts, and the stored weekly/monthly reports. Dimensions count from this
-- migration on (events ingested before it have no dimension rows).
CREATE TABLE "feedback_dimension_rollups_hourly" (
    "agent_id" TEXT NOT NULL,
    "revision_id" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "dim" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "positive" INTEGER NOT NULL DEFAULT 0,
    "negative" INTEGER NOT NULL DEFAULT 0,
    "rating_count" INTEGER NOT NULL DEFAULT 0,
    "rating_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "rating_sum_sq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "complaints" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "feedback_dimension_rollups_hourly_pkey" PRIMARY KEY ("agent_id", "revision_id", "bucket", "dim", "value")
);
CREATE INDEX "feedback_dimension_rollups_hourly_bucket_idx" ON "feedback_dimension_rollups_hourly"("bucket");

CREATE TABLE "insight_reports" (
    "id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "period_id" TEXT NOT NULL,
    "agent_id" TEXT,
    "from_time" TIMESTAMPTZ(3) NOT NULL,
    "to_time" TIMESTAMPTZ(3) NOT NULL,
    "body" JSONB NOT NULL,
    "alert" BOOLEAN NOT NULL DEFAULT false,
    "trigger" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "insight_reports_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "insight_reports_period_period_id_idx" ON "insight_reports"("period", "period_id");
