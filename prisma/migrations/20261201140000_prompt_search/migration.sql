-- Prompt search (issue 14): the prompt folded in JS (lib/search-text.ts) and an FTS5 trigram index on it.
-- Existing rows get '' and are folded at the server's start (lib/prompt-search.ts), since SQL cannot
-- fold the way JS does; every write path sets the column, the default only marks those old rows.
ALTER TABLE "Job" ADD COLUMN "promptSearch" TEXT NOT NULL DEFAULT '';

-- An external-content index over that column, keyed by the Job row's rowid. The column is folded
-- already, so the tokenizer keeps case. A VACUUM or a migration that copies "Job" into a new table
-- renumbers rowids and drops these triggers: such a migration must recreate them and rebuild.
CREATE VIRTUAL TABLE "JobSearch" USING fts5("promptSearch", content='Job', content_rowid='rowid', tokenize='trigram case_sensitive 1');

CREATE TRIGGER "Job_search_insert" AFTER INSERT ON "Job" BEGIN
  INSERT INTO "JobSearch" (rowid, "promptSearch") VALUES (new.rowid, new."promptSearch");
END;
CREATE TRIGGER "Job_search_delete" AFTER DELETE ON "Job" BEGIN
  INSERT INTO "JobSearch" ("JobSearch", rowid, "promptSearch") VALUES ('delete', old.rowid, old."promptSearch");
END;
CREATE TRIGGER "Job_search_update" AFTER UPDATE OF "promptSearch" ON "Job" BEGIN
  INSERT INTO "JobSearch" ("JobSearch", rowid, "promptSearch") VALUES ('delete', old.rowid, old."promptSearch");
  INSERT INTO "JobSearch" (rowid, "promptSearch") VALUES (new.rowid, new."promptSearch");
END;

INSERT INTO "JobSearch" ("JobSearch") VALUES ('rebuild');
