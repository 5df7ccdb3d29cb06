-- AlterEnum
ALTER TYPE "GateStatus" ADD VALUE 'cancelled';

-- AlterEnum
ALTER TYPE "JobStatus" ADD VALUE 'cancelled';

-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'cancelled';

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "enqueuedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Job_enqueuedAt_idx" ON "Job"("enqueuedAt");

-- jobs that existed before the outbox were enqueued when their run was created
UPDATE "Job" SET "enqueuedAt" = "queuedAt";
