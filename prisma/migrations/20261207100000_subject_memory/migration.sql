-- Per-subject memory and persona (seed 002, issue 16): memory items, facets, selection logs and
-- persona-update logs, written by oracle-api's loop/memory at ingest; feedback_events gains an
-- index on subject_id so a subject's erasure finds its raw events without a scan.
CREATE TABLE "subject_memory_items" (
    "id" UUID NOT NULL,
    "subject_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "confidence" DOUBLE PRECISION NOT NULL,
    "tags" TEXT[],
    "event_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "subject_memory_items_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "subject_memory_items_subject_id_kind_key_key" ON "subject_memory_items"("subject_id", "kind", "key");
CREATE INDEX "subject_memory_items_subject_id_updated_at_idx" ON "subject_memory_items"("subject_id", "updated_at");
CREATE INDEX "subject_memory_items_updated_at_idx" ON "subject_memory_items"("updated_at");

CREATE TABLE "subject_facets" (
    "subject_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "subject_facets_pkey" PRIMARY KEY ("subject_id", "name")
);

CREATE TABLE "subject_selection_logs" (
    "id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "user_input" TEXT,
    "context" JSONB NOT NULL,
    "options" JSONB NOT NULL,
    "selected_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "subject_selection_logs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "subject_selection_logs_event_id_key" ON "subject_selection_logs"("event_id");
CREATE INDEX "subject_selection_logs_subject_id_idx" ON "subject_selection_logs"("subject_id");
CREATE INDEX "subject_selection_logs_agent_id_occurred_at_idx" ON "subject_selection_logs"("agent_id", "occurred_at");
CREATE INDEX "subject_selection_logs_occurred_at_idx" ON "subject_selection_logs"("occurred_at");

CREATE TABLE "subject_persona_updates" (
    "id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "old_facets" JSONB NOT NULL,
    "new_facets" JSONB NOT NULL,
    "deltas" JSONB NOT NULL,
    "signals" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "subject_persona_updates_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "subject_persona_updates_subject_id_idx" ON "subject_persona_updates"("subject_id");
CREATE INDEX "subject_persona_updates_agent_id_occurred_at_idx" ON "subject_persona_updates"("agent_id", "occurred_at");
CREATE INDEX "subject_persona_updates_occurred_at_idx" ON "subject_persona_updates"("occurred_at");

CREATE INDEX "feedback_events_subject_id_idx" ON "feedback_events"("subject_id");
