-- Favourites and notes on images; batches of jobs (variations, fan-out).
ALTER TABLE "Image" ADD COLUMN "favorite" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Image" ADD COLUMN "note" TEXT;
ALTER TABLE "Job" ADD COLUMN "batchId" TEXT;
CREATE INDEX "Job_batchId_idx" ON "Job"("batchId");
CREATE INDEX "Job_model_id_idx" ON "Job"("model", "id");
