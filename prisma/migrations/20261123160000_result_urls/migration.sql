-- The provider's result links, kept until stored, so a failed save can be retried.
ALTER TABLE "Job" ADD COLUMN "resultUrls" TEXT;
