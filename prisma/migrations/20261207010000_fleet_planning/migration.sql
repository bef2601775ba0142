-- Planning at fleet scale: a finding the tick could not plan now waits as `deferred` with the
-- reason (budget, concurrency, cooldown, approval, …) that a later tick re-checks; a finding about
-- a revision no longer served is `superseded`. A plan nobody executed in time `expired`. A canary
-- that cannot reach the promotion lift ends `retired` (the champion stays; not a rollback).
ALTER TYPE "FindingStatus" ADD VALUE 'deferred';
ALTER TYPE "FindingStatus" ADD VALUE 'superseded';
ALTER TYPE "PlanStatus" ADD VALUE 'expired';
ALTER TYPE "RolloutStatus" ADD VALUE 'retired';
ALTER TYPE "MutationStatus" ADD VALUE 'retired';
ALTER TYPE "RolloutAction" ADD VALUE 'retire';

ALTER TABLE "findings" ADD COLUMN "deferred_reason" TEXT;
ALTER TABLE "findings" ADD COLUMN "deferred_detail" TEXT;
ALTER TABLE "findings" ADD COLUMN "deferred_at" TIMESTAMPTZ(3);

-- What a tick did per agent: the plans it made (queued, waiting for approval, blocked) and the
-- findings it deferred with the reason, for GET /api/v1/oracle/status.
ALTER TABLE "ticks" ADD COLUMN "plans" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "ticks" ADD COLUMN "deferred" JSONB NOT NULL DEFAULT '[]';
