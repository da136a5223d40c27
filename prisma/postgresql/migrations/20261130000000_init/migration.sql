-- CreateTable
CREATE TABLE "Image" (
    "id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "thumbPath" TEXT NOT NULL,
    "thumbBytes" INTEGER NOT NULL,
    "origin" TEXT NOT NULL,
    "favorite" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "aspectRatio" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "providerJobId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "resultUrls" TEXT,
    "claimedBy" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "errorDetail" TEXT,
    "costUsd" DOUBLE PRECISION,
    "parentImageId" TEXT,
    "maskImageId" TEXT,
    "regionX" INTEGER,
    "regionY" INTEGER,
    "regionWidth" INTEGER,
    "regionHeight" INTEGER,
    "batchId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobInput" (
    "jobId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "imageId" TEXT NOT NULL,

    CONSTRAINT "JobInput_pkey" PRIMARY KEY ("jobId","position")
);

-- CreateTable
CREATE TABLE "JobOutput" (
    "jobId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "imageId" TEXT NOT NULL,
    "seed" INTEGER,
    "changeFraction" DOUBLE PRECISION,
    "changeOutsideMask" DOUBLE PRECISION,

    CONSTRAINT "JobOutput_pkey" PRIMARY KEY ("jobId","position")
);

-- CreateTable
CREATE TABLE "LoginAttempt" (
    "id" SERIAL NOT NULL,
    "client" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LoginAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Image_sha256_key" ON "Image"("sha256");

-- CreateIndex
CREATE INDEX "Job_status_id_idx" ON "Job"("status", "id");

-- CreateIndex
CREATE INDEX "Job_provider_id_idx" ON "Job"("provider", "id");

-- CreateIndex
CREATE INDEX "Job_parentImageId_idx" ON "Job"("parentImageId");

-- CreateIndex
CREATE INDEX "Job_batchId_idx" ON "Job"("batchId");

-- CreateIndex
CREATE INDEX "Job_model_id_idx" ON "Job"("model", "id");

-- CreateIndex
CREATE INDEX "Job_provider_leaseExpiresAt_idx" ON "Job"("provider", "leaseExpiresAt");

-- CreateIndex
CREATE INDEX "Job_maskImageId_idx" ON "Job"("maskImageId");

-- CreateIndex
CREATE INDEX "JobInput_imageId_idx" ON "JobInput"("imageId");

-- CreateIndex
CREATE INDEX "JobOutput_imageId_idx" ON "JobOutput"("imageId");

-- CreateIndex
CREATE INDEX "LoginAttempt_client_at_idx" ON "LoginAttempt"("client", "at");

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_parentImageId_fkey" FOREIGN KEY ("parentImageId") REFERENCES "Image"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_maskImageId_fkey" FOREIGN KEY ("maskImageId") REFERENCES "Image"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobInput" ADD CONSTRAINT "JobInput_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobInput" ADD CONSTRAINT "JobInput_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobOutput" ADD CONSTRAINT "JobOutput_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobOutput" ADD CONSTRAINT "JobOutput_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

