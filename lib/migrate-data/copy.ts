import "server-only";
import { createHash } from "node:crypto";
import type { Image } from "../generated/prisma/client";
import { MigrateDataError } from "./errors";
import type { Source } from "./source";
import { delegate, differences, IMAGE_TABLE, keyOf, matching, pages, type Row, TABLES, type Table } from "./tables";
import type { Target } from "./target";

export type CopyOptions = {
  /** Rows per read and per insert transaction. */
  batch: number;
  /** Waits this long after each object and each batch: lets a test kill the copy halfway. */
  pauseMs: number;
  log: (line: string) => void;
};

export type Conflict = { table: string; key: string; fields: string[] };

/** Objects in flight at once: S3 is latency-bound, and the source is a local disk. */
export const PARALLEL_OBJECTS = 4;
const MAX_LISTED = 20;

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * Rows the target already holds under a source row's key (or, for images, its sha256) with other
 * values. Read before anything is written, so a target holding someone else's data is refused
 * untouched. Rows equal to the source's (from an earlier, interrupted run) are no conflict.
 */
export async function findConflicts(source: Source, target: Target, batch: number): Promise<{ count: number; listed: Conflict[] }> {
  const listed: Conflict[] = [];
  let count = 0;
  const add = (conflict: Conflict) => {
    count++;
    if (listed.length < MAX_LISTED) listed.push(conflict);
  };
  for (const table of TABLES) {
    for await (const rows of pages(source.db, table, batch)) {
      const existing = await matching(target.db, table, rows);
      for (const row of rows) {
        const there = existing.get(keyOf(table, row));
        const fields = there ? differences(row, there) : [];
        if (fields.length > 0) add({ table: table.name, key: keyOf(table, row), fields });
      }
      if (table.unique) await sameUniqueOtherKey(target, table, table.unique, rows).then((keys) => keys.forEach((key) => add(key)));
    }
  }
  return { count, listed };
}

async function sameUniqueOtherKey(target: Target, table: Table, unique: string, rows: Row[]): Promise<Conflict[]> {
  const found = await delegate(target.db, table).findMany({ where: { [unique]: { in: rows.map((row) => row[unique]) } } });
  const byValue = new Map(found.map((row) => [row[unique], row]));
  return rows.flatMap((row) => {
    const there = byValue.get(row[unique]);
    if (!there || keyOf(table, there) === keyOf(table, row)) return [];
    return [{ table: table.name, key: keyOf(table, row), fields: [`${unique} (held by ${keyOf(table, there)} in the target)`] }];
  });
}

export type CopyResult = { rows: Record<string, number>; objects: number };

/**
 * Copies every row the target lacks, table by table in foreign-key order, one transaction per
 * batch; an image's original and thumbnail are stored before its row, so no row ever points at
 * bytes that are not there. Rows already present are skipped (ON CONFLICT DO NOTHING), which
 * makes a second run, or a run after a kill, pick up where the last one stopped; an object
 * missing from the target (deleted since) is stored again.
 */
export async function copyAll(source: Source, target: Target, options: CopyOptions): Promise<CopyResult> {
  const pause = () => (options.pauseMs > 0 ? new Promise((resolve) => setTimeout(resolve, options.pauseMs)) : Promise.resolve());
  const result: CopyResult = { rows: {}, objects: 0 };
  for (const table of TABLES) {
    let read = 0;
    let copied = 0;
    for await (const rows of pages(source.db, table, options.batch)) {
      let batch = rows;
      if (table === IMAGE_TABLE) {
        const present = await matching(target.db, table, rows);
        batch = rows.filter((row) => !present.has(keyOf(table, row)));
        await eachLimit(rows, PARALLEL_OBJECTS, async (row) => {
          const rowCopied = present.has(keyOf(table, row));
          const stored = await copyObjects(source, target, row as Image, { rowCopied, pause });
          result.objects += stored; // after the await: `+= await` would add to a stale total
        });
      }
      copied += await insert(target, table, batch);
      read += rows.length;
      options.log(`  ${table.name}: ${read} read, ${copied} copied${table === IMAGE_TABLE ? `, ${result.objects} objects stored` : ""}`);
      await pause();
    }
    result.rows[table.name] = copied;
  }
  // Ids were copied as they were: the sequence must go on after the highest, or the next failed sign-in collides.
  await target.db.$executeRaw`SELECT setval(pg_get_serial_sequence('"LoginAttempt"', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM "LoginAttempt"`;
  return result;
}

async function insert(target: Target, table: Table, rows: Row[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { count } = await target.db.$transaction((tx) => delegate(tx, table).createMany({ data: rows, skipDuplicates: true }));
  return count;
}

/**
 * Stores the image's original and thumbnail unless the target has them; returns how many it
 * stored. Objects of an image whose row was copied already were complete before the row was written,
 * so being there is enough (one HEAD each; one deleted since is stored again). Without the
 * row, an earlier run may have stopped in the middle of this very object: only the same bytes
 * count as there.
 */
async function copyObjects(source: Source, target: Target, image: Image, how: { rowCopied: boolean; pause: () => Promise<unknown> }): Promise<number> {
  const objects = [
    { key: image.path, intact: (bytes: Buffer) => sha256(bytes) === image.sha256, damage: "does not hash to the image's sha256" },
    { key: image.thumbPath, intact: (bytes: Buffer) => bytes.length === image.thumbBytes, damage: `is not the ${image.thumbBytes} bytes its row records` },
  ];
  let stored = 0;
  for (const { key, intact, damage } of objects) {
    if (how.rowCopied && (await target.storage.exists(key))) continue;
    const bytes = await source.files.get(key).catch(() => {
      throw new MigrateDataError(`Image ${image.id}: its file images/${key} is missing from ${source.dataDir}.`);
    });
    if (!intact(bytes)) throw new MigrateDataError(`Image ${image.id}: its file images/${key} in ${source.dataDir} ${damage}; the source is damaged.`);
    if (!how.rowCopied && (await target.storage.exists(key)) && (await target.storage.get(key)).equals(bytes)) continue;
    await target.storage.put(key, bytes);
    stored++;
    await how.pause();
  }
  return stored;
}

export async function eachLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
