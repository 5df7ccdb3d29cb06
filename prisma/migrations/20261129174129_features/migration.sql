-- CreateEnum
CREATE TYPE "FeaturePlatform" AS ENUM ('web', 'android');

-- AlterEnum
ALTER TYPE "BenchmarkKind" ADD VALUE 'feature';

-- AlterTable
ALTER TABLE "EvaluationRun" ADD COLUMN     "featureBuildId" UUID,
ADD COLUMN     "scenarioId" UUID;

-- CreateTable
CREATE TABLE "FeatureBuild" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "platform" "FeaturePlatform" NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "gitCommit" TEXT,
    "description" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FeatureBuild_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FeatureBuildModel" (
    "featureBuildId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "modelVersionId" UUID NOT NULL,

    CONSTRAINT "FeatureBuildModel_pkey" PRIMARY KEY ("featureBuildId","key")
);

-- CreateTable
CREATE TABLE "Scenario" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "fps" DOUBLE PRECISION NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "frameCount" INTEGER NOT NULL,
    "groundTruthBoxes" INTEGER NOT NULL,
    "tracks" INTEGER NOT NULL,
    "videoSha256" TEXT NOT NULL,
    "videoSizeBytes" BIGINT NOT NULL,
    "groundTruthSha256" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Scenario_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FeatureBuild_sha256_idx" ON "FeatureBuild"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "FeatureBuild_name_version_key" ON "FeatureBuild"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Scenario_name_version_key" ON "Scenario"("name", "version");

-- AddForeignKey
ALTER TABLE "EvaluationRun" ADD CONSTRAINT "EvaluationRun_featureBuildId_fkey" FOREIGN KEY ("featureBuildId") REFERENCES "FeatureBuild"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvaluationRun" ADD CONSTRAINT "EvaluationRun_scenarioId_fkey" FOREIGN KEY ("scenarioId") REFERENCES "Scenario"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeatureBuildModel" ADD CONSTRAINT "FeatureBuildModel_featureBuildId_fkey" FOREIGN KEY ("featureBuildId") REFERENCES "FeatureBuild"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeatureBuildModel" ADD CONSTRAINT "FeatureBuildModel_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
