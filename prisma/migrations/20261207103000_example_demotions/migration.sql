-- Complaints and corrections the example store has seen (issue 15): an example whose good event
-- arrives after its session's (or inference's) complaint is stored demoted.
CREATE TABLE "example_demotions" (
    "agent_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "inference_id" TEXT NOT NULL DEFAULT '',
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "example_demotions_pkey" PRIMARY KEY ("agent_id","session_id","inference_id")
);

CREATE INDEX "example_demotions_created_at_idx" ON "example_demotions"("created_at");
