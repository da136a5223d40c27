-- Region edits (issue 12): a job's mask and the crop sent to the provider; how much each edit output changed.
ALTER TABLE "Job" ADD COLUMN "maskImageId" TEXT REFERENCES "Image" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Job" ADD COLUMN "regionX" INTEGER;
ALTER TABLE "Job" ADD COLUMN "regionY" INTEGER;
ALTER TABLE "Job" ADD COLUMN "regionWidth" INTEGER;
ALTER TABLE "Job" ADD COLUMN "regionHeight" INTEGER;
CREATE INDEX "Job_maskImageId_idx" ON "Job"("maskImageId");

ALTER TABLE "JobOutput" ADD COLUMN "changeFraction" REAL;
ALTER TABLE "JobOutput" ADD COLUMN "changeOutsideMask" REAL;
