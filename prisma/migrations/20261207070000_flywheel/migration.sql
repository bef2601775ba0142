-- The learning flywheel (issue 15): examples for retrieval (DICL), training datasets, and the
-- training requests handed to a trainer, whose artifacts come back as candidates.
CREATE TYPE "DatasetKind" AS ENUM ('sft', 'preference');
CREATE TYPE "DatasetStatus" AS ENUM ('building', 'ready', 'failed');
CREATE TYPE "TrainingRequestStatus" AS ENUM ('requested', 'delivered', 'completed', 'failed');

CREATE TABLE "examples" (
    "id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "revision_id" TEXT NOT NULL DEFAULT '',
    "event_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "inference_id" TEXT,
    "source" TEXT NOT NULL,
    "input" TEXT NOT NULL,
    "output" TEXT NOT NULL,
    "quality" DOUBLE PRECISION NOT NULL,
    "content_hash" TEXT NOT NULL,
    "embedding" REAL[],
    "embedder" TEXT NOT NULL,
    "demoted_at" TIMESTAMPTZ(3),
    "demote_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "examples_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "examples_agent_id_content_hash_key" ON "examples"("agent_id", "content_hash");
CREATE INDEX "examples_agent_id_created_at_idx" ON "examples"("agent_id", "created_at");
CREATE INDEX "examples_agent_id_session_id_idx" ON "examples"("agent_id", "session_id");

CREATE TABLE "datasets" (
    "id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "revision_id" TEXT,
    "kind" "DatasetKind" NOT NULL,
    "status" "DatasetStatus" NOT NULL DEFAULT 'building',
    "from_time" TIMESTAMPTZ(3) NOT NULL,
    "to_time" TIMESTAMPTZ(3) NOT NULL,
    "params" JSONB NOT NULL,
    "manifest" JSONB,
    "location" TEXT,
    "error" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "datasets_agent_id_created_at_idx" ON "datasets"("agent_id", "created_at");

CREATE TABLE "training_requests" (
    "id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "dataset_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "finding_id" UUID,
    "status" "TrainingRequestStatus" NOT NULL DEFAULT 'requested',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "training_requests_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "training_requests_agent_id_created_at_idx" ON "training_requests"("agent_id", "created_at");
CREATE INDEX "training_requests_status_idx" ON "training_requests"("status");
ALTER TABLE "training_requests" ADD CONSTRAINT "training_requests_dataset_id_fkey"
    FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "candidates" ADD COLUMN "training_request_id" UUID;
CREATE UNIQUE INDEX "candidates_training_request_id_key" ON "candidates"("training_request_id");
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_training_request_id_fkey"
    FOREIGN KEY ("training_request_id") REFERENCES "training_requests"("id") ON DELETE SET NULL ON UPDATE CASCADE;
