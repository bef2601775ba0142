-- The live config's version per agent: bumped with every change of the stable revision or the
-- active rollout (its weight or status), so config.changed receivers can drop stale messages.
ALTER TABLE "agents" ADD COLUMN "config_version" INTEGER NOT NULL DEFAULT 1;
