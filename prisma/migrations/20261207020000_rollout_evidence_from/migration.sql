-- The minute from which the monitor counts a rollout's events: the minute it started, or the next
-- one when its candidate revision (content-hashed, so a restored config has its old id) had
-- already served traffic earlier in that minute, which must not count as canary evidence.
ALTER TABLE "rollouts" ADD COLUMN "evidence_from" TIMESTAMPTZ(3);
