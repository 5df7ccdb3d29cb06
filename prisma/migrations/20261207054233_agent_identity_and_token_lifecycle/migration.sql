-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "epoch" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "instanceId" TEXT;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "agentName" TEXT,
ADD COLUMN     "createdBy" TEXT,
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "revokedBy" TEXT;
