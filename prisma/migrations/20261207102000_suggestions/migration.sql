-- Suggestions (seed 003, issue 16): concrete prompt changes for an agent's worst areas, from the
-- rules or an optional model; one can become a registered prompt candidate (candidate_id).
CREATE TABLE "suggestions" (
    "id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "area_kind" TEXT NOT NULL,
    "area" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "problem" JSONB NOT NULL,
    "suggestion" TEXT NOT NULL,
    "prompt_patch" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "fallback_reason" TEXT,
    "evidence" JSONB NOT NULL,
    "candidate_id" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "suggestions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "suggestions_agent_id_id_idx" ON "suggestions"("agent_id", "id");
