-- CreateEnum
CREATE TYPE "Environment" AS ENUM ('dev', 'staging', 'prod');

-- CreateEnum
CREATE TYPE "CandidateType" AS ENUM ('prompt', 'model', 'lora', 'backend');

-- CreateEnum
CREATE TYPE "MetricValueType" AS ENUM ('boolean', 'float');

-- CreateEnum
CREATE TYPE "MetricLevel" AS ENUM ('inference', 'episode');

-- CreateEnum
CREATE TYPE "OptimizeDirection" AS ENUM ('max', 'min');

-- CreateEnum
CREATE TYPE "MutationType" AS ENUM ('PROMPT_PATCH', 'MODEL_SWAP', 'LORA_APPLY', 'ROUTE_CHANGE', 'PARAM_SET', 'MEMORY_UPDATE');

-- CreateEnum
CREATE TYPE "FindingType" AS ENUM ('performance_degradation', 'dissatisfaction', 'complaint_burst', 'usage_imbalance', 'retrain_trigger', 'cost_opportunity');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "FindingStatus" AS ENUM ('open', 'planned', 'resolved', 'dismissed');

-- CreateEnum
CREATE TYPE "PlanStatus" AS ENUM ('draft', 'validated', 'blocked', 'awaiting_approval', 'approved', 'rejected', 'queued', 'executing', 'completed', 'failed');

-- CreateEnum
CREATE TYPE "MutationStatus" AS ENUM ('pending', 'applied', 'promoted', 'rolled_back', 'failed', 'skipped');

-- CreateEnum
CREATE TYPE "GateStatus" AS ENUM ('pass', 'fail', 'needs_approval');

-- CreateEnum
CREATE TYPE "RolloutStatus" AS ENUM ('pending', 'running', 'paused', 'promoted', 'rolled_back', 'failed');

-- CreateEnum
CREATE TYPE "RevertStatus" AS ENUM ('not_needed', 'pending', 'done', 'failed');

-- CreateEnum
CREATE TYPE "RolloutAction" AS ENUM ('start', 'advance', 'hold', 'inconclusive', 'pause', 'promote', 'rollback');

-- CreateEnum
CREATE TYPE "TickStatus" AS ENUM ('running', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "agents" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "stable_revision_id" TEXT,
    "active_rollout_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revisions" (
    "id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "parent_id" TEXT,
    "config_hash" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "mutation_type" "MutationType",
    "change_summary" JSONB,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "candidates" (
    "id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "type" "CandidateType" NOT NULL,
    "key" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "candidates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_definitions" (
    "name" TEXT NOT NULL,
    "type" "MetricValueType" NOT NULL,
    "level" "MetricLevel" NOT NULL,
    "optimize" "OptimizeDirection" NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metric_definitions_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "feedback_events" (
    "event_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "revision_id" TEXT NOT NULL DEFAULT '',
    "inference_id" TEXT,
    "subject_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rating" DOUBLE PRECISION,
    "helpful" BOOLEAN,
    "complaint" TEXT,
    "success" DOUBLE PRECISION,
    "response_time_ms" DOUBLE PRECISION,
    "error_code" TEXT,
    "tokens_in" INTEGER,
    "tokens_out" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "tags" TEXT[],
    "payload" JSONB NOT NULL,

    CONSTRAINT "feedback_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "system_metrics" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "unit" TEXT,
    "labels" JSONB,
    "agent_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "system_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback_rollups" (
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

    CONSTRAINT "feedback_rollups_pkey" PRIMARY KEY ("agent_id","revision_id","bucket")
);

-- CreateTable
CREATE TABLE "metric_rollups" (
    "agent_id" TEXT NOT NULL,
    "revision_id" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "metric" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "sum_sq" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "metric_rollups_pkey" PRIMARY KEY ("agent_id","revision_id","bucket","metric")
);

-- CreateTable
CREATE TABLE "findings" (
    "id" UUID NOT NULL,
    "type" "FindingType" NOT NULL,
    "agent_id" TEXT NOT NULL,
    "revision_id" TEXT,
    "severity" "Severity" NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "summary" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "dedup_key" TEXT NOT NULL,
    "status" "FindingStatus" NOT NULL DEFAULT 'open',
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plans" (
    "id" UUID NOT NULL,
    "status" "PlanStatus" NOT NULL DEFAULT 'draft',
    "source" TEXT NOT NULL,
    "finding_ids" TEXT[],
    "confidence" DOUBLE PRECISION NOT NULL,
    "risk" INTEGER NOT NULL,
    "expected_impact" JSONB NOT NULL,
    "rationale" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "decided_by" TEXT,
    "decision_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mutations" (
    "id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "agent_id" TEXT NOT NULL,
    "type" "MutationType" NOT NULL,
    "params" JSONB NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "risk" INTEGER NOT NULL,
    "expected_impact" JSONB NOT NULL,
    "rationale" TEXT NOT NULL,
    "rollback_spec" JSONB NOT NULL,
    "status" "MutationStatus" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mutations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "validations" (
    "id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "policy_version" TEXT NOT NULL,
    "inputs" JSONB NOT NULL,
    "overall_passed" BOOLEAN NOT NULL,
    "requires_approval" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "validations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gate_results" (
    "id" UUID NOT NULL,
    "validation_id" UUID NOT NULL,
    "gate" TEXT NOT NULL,
    "status" "GateStatus" NOT NULL,
    "reason" TEXT NOT NULL,
    "details" JSONB,

    CONSTRAINT "gate_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "plan_id" UUID,
    "mutation_id" UUID,
    "mutation_type" "MutationType" NOT NULL,
    "stable_revision_id" TEXT NOT NULL,
    "candidate_revision_id" TEXT NOT NULL,
    "status" "RolloutStatus" NOT NULL DEFAULT 'pending',
    "weight_bp" INTEGER NOT NULL DEFAULT 0,
    "step_index" INTEGER NOT NULL DEFAULT 0,
    "steps" INTEGER[],
    "rollback_key" TEXT NOT NULL,
    "adapter_state" JSONB,
    "revert_status" "RevertStatus" NOT NULL DEFAULT 'not_needed',
    "revert_attempts" INTEGER NOT NULL DEFAULT 0,
    "revert_error" TEXT,
    "status_reason" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "step_started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_decisions" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "step_index" INTEGER NOT NULL,
    "weight_bp" INTEGER NOT NULL,
    "action" "RolloutAction" NOT NULL,
    "reason" TEXT NOT NULL,
    "statistics" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollout_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "agent_id" TEXT,
    "reason" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticks" (
    "id" UUID NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" "TickStatus" NOT NULL DEFAULT 'running',
    "stages" JSONB NOT NULL DEFAULT '[]',
    "summary" TEXT,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "ticks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "control_settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "reason" TEXT,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "control_settings_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "agents_active_rollout_id_key" ON "agents"("active_rollout_id");

-- CreateIndex
CREATE INDEX "agents_environment_idx" ON "agents"("environment");

-- CreateIndex
CREATE INDEX "revisions_parent_id_idx" ON "revisions"("parent_id");

-- CreateIndex
CREATE UNIQUE INDEX "revisions_agent_id_config_hash_key" ON "revisions"("agent_id", "config_hash");

-- CreateIndex
CREATE UNIQUE INDEX "candidates_agent_id_type_key_key" ON "candidates"("agent_id", "type", "key");

-- CreateIndex
CREATE INDEX "feedback_events_agent_id_occurred_at_idx" ON "feedback_events"("agent_id", "occurred_at");

-- CreateIndex
CREATE INDEX "feedback_events_received_at_idx" ON "feedback_events"("received_at");

-- CreateIndex
CREATE INDEX "system_metrics_source_name_occurred_at_idx" ON "system_metrics"("source", "name", "occurred_at");

-- CreateIndex
CREATE INDEX "system_metrics_received_at_idx" ON "system_metrics"("received_at");

-- CreateIndex
CREATE INDEX "feedback_rollups_bucket_idx" ON "feedback_rollups"("bucket");

-- CreateIndex
CREATE INDEX "metric_rollups_bucket_idx" ON "metric_rollups"("bucket");

-- CreateIndex
CREATE UNIQUE INDEX "findings_dedup_key_key" ON "findings"("dedup_key");

-- CreateIndex
CREATE INDEX "findings_agent_id_status_idx" ON "findings"("agent_id", "status");

-- CreateIndex
CREATE INDEX "findings_type_status_idx" ON "findings"("type", "status");

-- CreateIndex
CREATE INDEX "plans_status_created_at_idx" ON "plans"("status", "created_at");

-- CreateIndex
CREATE INDEX "mutations_agent_id_created_at_idx" ON "mutations"("agent_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "mutations_plan_id_ordinal_key" ON "mutations"("plan_id", "ordinal");

-- CreateIndex
CREATE INDEX "validations_plan_id_created_at_idx" ON "validations"("plan_id", "created_at");

-- CreateIndex
CREATE INDEX "gate_results_gate_status_idx" ON "gate_results"("gate", "status");

-- CreateIndex
CREATE UNIQUE INDEX "gate_results_validation_id_gate_key" ON "gate_results"("validation_id", "gate");

-- CreateIndex
CREATE UNIQUE INDEX "rollouts_rollback_key_key" ON "rollouts"("rollback_key");

-- CreateIndex
CREATE INDEX "rollouts_agent_id_created_at_idx" ON "rollouts"("agent_id", "created_at");

-- CreateIndex
CREATE INDEX "rollouts_status_idx" ON "rollouts"("status");

-- CreateIndex
CREATE INDEX "rollout_decisions_rollout_id_created_at_idx" ON "rollout_decisions"("rollout_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_entries_at_idx" ON "audit_entries"("at");

-- CreateIndex
CREATE INDEX "audit_entries_entity_type_entity_id_idx" ON "audit_entries"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "audit_entries_agent_id_at_idx" ON "audit_entries"("agent_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "ticks_started_at_idx" ON "ticks"("started_at");

-- AddForeignKey
ALTER TABLE "agents" ADD CONSTRAINT "agents_stable_revision_id_fkey" FOREIGN KEY ("stable_revision_id") REFERENCES "revisions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "revisions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mutations" ADD CONSTRAINT "mutations_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "validations" ADD CONSTRAINT "validations_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gate_results" ADD CONSTRAINT "gate_results_validation_id_fkey" FOREIGN KEY ("validation_id") REFERENCES "validations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_mutation_id_fkey" FOREIGN KEY ("mutation_id") REFERENCES "mutations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_decisions" ADD CONSTRAINT "rollout_decisions_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
