-- The side effects an adapter's prepare planned for a rollout (apply and promote phases): the
-- orchestrator makes the promote-phase ones after promotion, possibly in another process.
ALTER TABLE "rollouts" ADD COLUMN "planned_effects" JSONB NOT NULL DEFAULT '[]';

-- The orchestrator finds a mutation's rollout by it when a plan job runs again.
CREATE INDEX "rollouts_mutation_id_idx" ON "rollouts"("mutation_id");

-- Canary steps are percents as the policy gives them, which may be fractional (e.g. 2.5).
ALTER TABLE "rollouts" ALTER COLUMN "steps" TYPE DOUBLE PRECISION[];
