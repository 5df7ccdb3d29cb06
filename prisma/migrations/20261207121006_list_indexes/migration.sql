-- CreateIndex
CREATE INDEX "Approval_modelId_createdAt_idx" ON "Approval"("modelId", "createdAt");

-- CreateIndex
CREATE INDEX "Approval_modelVersionId_idx" ON "Approval"("modelVersionId");

-- CreateIndex
CREATE INDEX "AuditEntry_modelName_createdAt_idx" ON "AuditEntry"("modelName", "createdAt");

-- CreateIndex
CREATE INDEX "Device_tier_platform_localKey_idx" ON "Device"("tier", "platform", "localKey");

-- CreateIndex
CREATE INDEX "Device_platform_idx" ON "Device"("platform");

-- CreateIndex
CREATE INDEX "Device_status_idx" ON "Device"("status");

-- CreateIndex
CREATE INDEX "EvaluationRun_modelVersionId_createdAt_idx" ON "EvaluationRun"("modelVersionId", "createdAt");

-- CreateIndex
CREATE INDEX "EvaluationRun_createdAt_id_idx" ON "EvaluationRun"("createdAt", "id");

-- CreateIndex
CREATE INDEX "GateEvaluation_createdAt_id_idx" ON "GateEvaluation"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Job_modelVersionId_benchmark_idx" ON "Job"("modelVersionId", "benchmark");

-- CreateIndex
CREATE INDEX "ModelVersion_modelId_createdAt_idx" ON "ModelVersion"("modelId", "createdAt");
