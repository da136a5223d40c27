-- The provider's own words behind a job's error message, kept apart so the message stays human.
ALTER TABLE "Job" ADD COLUMN "errorDetail" TEXT;
