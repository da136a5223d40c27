import "server-only";
import type { Image } from "../generated/prisma/client";
import { AppError } from "../errors";
import { eachLimit, PARALLEL_OBJECTS, sha256 } from "./copy";
import type { Source } from "./source";
import { delegate, differences, IMAGE_TABLE, keyOf, matching, pages, TABLES } from "./tables";
import type { Target } from "./target";

export type TableCheck = { table: string; source: number; target: number; missing: number; differing: number };
export type Verification = {
  tables: TableCheck[];
  originals: number;
  thumbnails: number;
  /** What is wrong, one line each (the first few); empty when the target holds the source exactly. */
  problems: string[];
  problemCount: number;
};

const MAX_LISTED = 20;

/**
 * Reads everything back: every source row must be in the target with the same values, each
 * table must count as many rows on both sides, every original in the target must hash to its
 * image's sha256, and every thumbnail (named after the original, so without a digest of its
 * own) must hash like the source's.
 */
export async function verify(source: Source, target: Target, batch: number): Promise<Verification> {
  const result: Verification = { tables: [], originals: 0, thumbnails: 0, problems: [], problemCount: 0 };
  const problem = (line: string) => {
    result.problemCount++;
    if (result.problems.length < MAX_LISTED) result.problems.push(line);
  };
  for (const table of TABLES) {
    const check: TableCheck = { table: table.name, source: 0, target: 0, missing: 0, differing: 0 };
    for await (const rows of pages(source.db, table, batch)) {
      const there = await matching(target.db, table, rows);
      for (const row of rows) {
        const copy = there.get(keyOf(table, row));
        if (!copy) {
          check.missing++;
          problem(`${table.name} ${keyOf(table, row)} is missing from the target`);
        } else if (differences(row, copy).length > 0) {
          check.differing++;
          problem(`${table.name} ${keyOf(table, row)} differs in the target: ${differences(row, copy).join(", ")}`);
        }
      }
    }
    check.source = await delegate(source.db, table).count();
    check.target = await delegate(target.db, table).count();
    if (check.source !== check.target) problem(`${table.name}: ${check.source} rows in the source, ${check.target} in the target`);
    result.tables.push(check);
  }
  for await (const rows of pages(source.db, IMAGE_TABLE, batch)) {
    await eachLimit(rows as Image[], PARALLEL_OBJECTS, async (image) => {
      const original = await digest(target, image.path);
      if (original === image.sha256) result.originals++;
      else problem(`Image ${image.id}: images/${image.path} ${original ? "in the target does not hash to its sha256" : "is missing from the target"}`);
      const thumb = await digest(target, image.thumbPath);
      if (thumb === sha256(await source.files.get(image.thumbPath))) result.thumbnails++;
      else problem(`Image ${image.id}: images/${image.thumbPath} ${thumb ? "in the target differs from the source's" : "is missing from the target"}`);
    });
  }
  return result;
}

/** The object's sha256, or null when the target does not have it. Storage out of reach stops the check. */
async function digest(target: Target, key: string): Promise<string | null> {
  try {
    return sha256(await target.storage.get(key));
  } catch (error) {
    if (error instanceof AppError) throw error;
    return null;
  }
}
