-- CreateEnum
CREATE TYPE "GateStatus" AS ENUM ('running', 'confirming', 'done', 'error');

-- CreateEnum
CREATE TYPE "GateVerdict" AS ENUM ('pass', 'fail', 'inconclusive');

-- CreateEnum
CREATE TYPE "ApprovalKind" AS ENUM ('automatic', 'manual', 'override');

-- CreateTable
CREATE TABLE "GatePolicy" (
    "id" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GatePolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GateEvaluation" (
    "id" UUID NOT NULL,
    "modelVersionId" UUID NOT NULL,
    "baselineVersionId" UUID,
    "runId" UUID NOT NULL,
    "confirmRunId" UUID,
    "reevaluationOfId" UUID,
    "policyName" TEXT NOT NULL,
    "policySource" TEXT NOT NULL,
    "policy" JSONB NOT NULL,
    "status" "GateStatus" NOT NULL DEFAULT 'running',
    "verdict" "GateVerdict",
    "results" JSONB NOT NULL DEFAULT '[]',
    "firstAttempt" JSONB,
    "ciContext" JSONB,
    "idempotencyKey" TEXT,
    "error" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdByRole" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "GateEvaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "modelVersionId" UUID NOT NULL,
    "platform" TEXT NOT NULL DEFAULT '*',
    "tier" TEXT NOT NULL DEFAULT '*',
    "channel" TEXT NOT NULL,
    "kind" "ApprovalKind" NOT NULL,
    "reason" TEXT,
    "gateEvaluationId" UUID,
    "approvedBy" TEXT NOT NULL,
    "approvedByRole" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "supersededAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,
    "revokeReason" TEXT,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "modelId" UUID,
    "modelName" TEXT,
    "version" TEXT,
    "approvalId" UUID,
    "actor" TEXT NOT NULL,
    "actorRole" "Role" NOT NULL,
    "reason" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DevicePopulation" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "entries" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DevicePopulation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReleaseManifest" (
    "id" UUID NOT NULL,
    "app" TEXT NOT NULL,
    "appVersion" TEXT NOT NULL,
    "models" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReleaseManifest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GatePolicy_modelId_name_revision_key" ON "GatePolicy"("modelId", "name", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "GateEvaluation_idempotencyKey_key" ON "GateEvaluation"("idempotencyKey");

-- CreateIndex
CREATE INDEX "GateEvaluation_modelVersionId_createdAt_idx" ON "GateEvaluation"("modelVersionId", "createdAt");

-- CreateIndex
CREATE INDEX "Approval_modelId_channel_platform_tier_idx" ON "Approval"("modelId", "channel", "platform", "tier");

-- CreateIndex
CREATE INDEX "AuditEntry_modelId_createdAt_idx" ON "AuditEntry"("modelId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "DevicePopulation_name_key" ON "DevicePopulation"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ReleaseManifest_app_appVersion_key" ON "ReleaseManifest"("app", "appVersion");

-- AddForeignKey
ALTER TABLE "GatePolicy" ADD CONSTRAINT "GatePolicy_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GateEvaluation" ADD CONSTRAINT "GateEvaluation_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GateEvaluation" ADD CONSTRAINT "GateEvaluation_baselineVersionId_fkey" FOREIGN KEY ("baselineVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GateEvaluation" ADD CONSTRAINT "GateEvaluation_runId_fkey" FOREIGN KEY ("runId") REFERENCES "EvaluationRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GateEvaluation" ADD CONSTRAINT "GateEvaluation_confirmRunId_fkey" FOREIGN KEY ("confirmRunId") REFERENCES "EvaluationRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_gateEvaluationId_fkey" FOREIGN KEY ("gateEvaluationId") REFERENCES "GateEvaluation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
