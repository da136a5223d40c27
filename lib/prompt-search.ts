import "server-only";
import { db, dialect } from "./db";
import { Prisma } from "./generated/prisma/client";
import { searchText } from "./search-text";

/** Trigram indexes know nothing of shorter text: such searches scan. */
const TRIGRAM = 3;
/**
 * On SQLite, a word in at most this many prompts is looked up in the index and its rows
 * sorted; a commoner one is found sooner by walking the newest jobs until a page is full.
 */
const INDEX_MAX_HITS = 1000;

/**
 * The gallery's condition for a prompt search: a literal substring of the folded prompt (no
 * wildcards, quotes taken as typed). `null` when no job can match, so no query is needed.
 */
export async function promptCondition(q: string): Promise<Prisma.Sql | null> {
  const needle = searchText(q);
  if (dialect() === "postgresql") {
    if ([...needle].length < TRIGRAM) return Prisma.sql`strpos("promptSearch", ${needle}) > 0`;
    // The planner weighs the GIN index against walking ids newest first; the LIKE is exact, as the index only narrows.
    const pattern = `%${needle.replace(/[\\%_]/g, "\\$&")}%`;
    return Prisma.sql`"promptSearch" LIKE ${pattern} ESCAPE '\\'`;
  }
  const contains = Prisma.sql`instr("promptSearch", ${needle}) > 0`;
  if ([...needle].length < TRIGRAM) return contains;
  const phrase = `"${needle.replaceAll('"', '""')}"`;
  const hits = await db().$queryRaw<{ r: number | bigint }[]>`
    SELECT rowid AS r FROM "JobSearch" WHERE "JobSearch" MATCH ${phrase} LIMIT ${INDEX_MAX_HITS + 1}`;
  if (hits.length === 0) return null;
  if (hits.length > INDEX_MAX_HITS) return contains;
  const rowids = JSON.stringify(hits.map((hit) => Number(hit.r)));
  return Prisma.sql`rowid IN (SELECT value FROM json_each(${rowids})) AND ${contains}`;
}

const BACKFILL_BATCH = 500;

/**
 * Folds the prompts of jobs saved before the search column existed (their column is ''), in
 * batches; run at every start, a single scan finding nothing once done. Returns how many.
 */
export async function foldOldPrompts(): Promise<number> {
  const unfolded = { promptSearch: "", prompt: { not: "" } };
  // Unordered, so a plain table scan: the check every start pays once all are folded.
  if (!(await db().job.findFirst({ where: unfolded, select: { id: true } }))) return 0;
  let folded = 0;
  let after = "";
  for (;;) {
    const rows = await db().job.findMany({
      where: { ...unfolded, id: { gt: after } },
      select: { id: true, prompt: true },
      orderBy: { id: "asc" },
      take: BACKFILL_BATCH,
    });
    if (rows.length === 0) return folded;
    await db().$transaction(rows.map((row) => db().job.update({ where: { id: row.id }, data: { promptSearch: searchText(row.prompt) } })));
    folded += rows.length;
    after = rows.at(-1)!.id;
  }
}
