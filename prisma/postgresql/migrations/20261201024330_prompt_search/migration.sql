-- Prompt search (issue 14): the prompt folded in JS (lib/search-text.ts) and a trigram index on it.
-- Existing rows get '' here and are folded at the server's start (lib/prompt-search.ts), since SQL
-- cannot fold the way JS does; the default is dropped at once so the schema has none.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "promptSearch" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Job" ALTER COLUMN "promptSearch" DROP DEFAULT;

-- CreateIndex
CREATE INDEX "Job_promptSearch_idx" ON "Job" USING GIN ("promptSearch" gin_trgm_ops);
