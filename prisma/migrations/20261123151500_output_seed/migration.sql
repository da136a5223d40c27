-- AlterTable
ALTER TABLE "JobOutput" ADD COLUMN "seed" INTEGER;
