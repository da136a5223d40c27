/**
 * `npm run migrate-data -- --from <DATA_DIR>`: moves a team's history from the embedded
 * SQLite studio up to PostgreSQL and S3 (started by scripts/migrate-data.mjs).
 */
import "server-only";
import path from "node:path";
import { parseArgs } from "node:util";
import { copyAll, findConflicts } from "./copy";
import { MigrateDataError } from "./errors";
import { liveLeases, openSource, type Source } from "./source";
import { openTarget, type Target } from "./target";
import { verify, type Verification } from "./verify";

export const USAGE = `Usage: npm run migrate-data -- --from <DATA_DIR> [--from-db <file>] [--batch <rows>]

Copies an Atelier data folder (the SQLite database and the image files) into the PostgreSQL
database DATABASE_URL names, and the images into the bucket the S3_* settings name (without
S3_BUCKET: into DATA_DIR/images), then reads everything back to check it.

  --from <DATA_DIR>   the old studio's data folder (atelier.db and images/)
  --from-db <file>    its SQLite file, if not <DATA_DIR>/atelier.db (it ran with DATABASE_URL=file:…)
  --batch <rows>      rows per read and per transaction (default 500, at most 1000)

Stop the old studio first. Safe to run again: a run copies only what the target lacks, so
one that was stopped goes on where it stopped. Exits non-zero when the target holds other
rows under the same ids (nothing is overwritten) or when the check finds a difference.`;

/** Returns the exit code: 0 done and verified, 1 refused or failed, 2 wrong arguments. */
export async function main(argv: string[], root: string): Promise<number> {
  let options: { from?: string; "from-db"?: string; batch?: string; help?: boolean };
  try {
    options = parseArgs({
      args: argv,
      options: { from: { type: "string" }, "from-db": { type: "string" }, batch: { type: "string" }, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const batch = Number(options.batch ?? 500);
  if (!options.from || !Number.isInteger(batch) || batch < 1 || batch > 1000) {
    console.error(`${options.from ? "--batch must be a whole number from 1 to 1000." : "--from <DATA_DIR> is required."}\n\n${USAGE}`);
    return 2;
  }

  let source: Source | undefined;
  let target: Target | undefined;
  try {
    source = await openSource(root, path.resolve(options.from), options["from-db"] && path.resolve(options["from-db"]));
    target = await openTarget(root);
    return await run(source, target, batch);
  } catch (error) {
    if (error instanceof MigrateDataError) {
      console.error(error.message);
    } else {
      // The message only: a connection error can quote the URL, password included.
      const url = process.env.DATABASE_URL?.trim();
      const message = (error as Error).message ?? String(error);
      console.error(`migrate-data stopped: ${url ? message.replaceAll(url, "<DATABASE_URL>") : message}`);
      console.error("Run it again once the cause is fixed: it goes on where it stopped and copies nothing twice.");
    }
    return 1;
  } finally {
    await source?.db.$disconnect();
    await target?.db.$disconnect();
  }
}

async function run(source: Source, target: Target, batch: number): Promise<number> {
  const log = (line: string) => console.log(line);
  log(`From ${source.dataDir} (${source.databaseFile})`);
  log(`To   ${target.database}, images in ${target.images}`);
  log(target.migrated.length > 0 ? `Applied ${target.migrated.length} migration(s) to the target first.` : "The target's schema is up to date.");
  if ((await liveLeases(source)) > 0) {
    log("Warning: a job in the source is running right now: stop the old studio, or what it writes from now on is not copied.");
  }

  const conflicts = await findConflicts(source, target, batch);
  if (conflicts.count > 0) {
    console.error(`Refused: the target already holds ${conflicts.count} row(s) under the source's ids with other values. Nothing was copied or changed.`);
    for (const c of conflicts.listed) console.error(`  ${c.table} ${c.key}: ${c.fields.join(", ")}`);
    if (conflicts.count > conflicts.listed.length) console.error(`  … and ${conflicts.count - conflicts.listed.length} more`);
    console.error(
      "If an earlier migrate-data run copied them, the source changed since (stop the old studio before copying); " +
        "otherwise DATABASE_URL names a database with other data in it: use an empty one.",
    );
    return 1;
  }

  log(`Copying, ${batch} rows at a time:`);
  const pauseMs = Number(process.env.ATELIER_MIGRATE_PAUSE_MS) || 0;
  const copied = await copyAll(source, target, { batch, pauseMs, log });
  const rows = Object.values(copied.rows).reduce((sum, n) => sum + n, 0);

  log("Verifying:");
  const check = await verify(source, target, batch);
  report(check, log);
  if (check.problemCount > 0) {
    console.error(`Verification failed: ${check.problemCount} problem(s).`);
    for (const line of check.problems) console.error(`  ${line}`);
    if (check.problemCount > check.problems.length) console.error(`  … and ${check.problemCount - check.problems.length} more`);
    console.error(
      "Stop whatever writes to the source or the target and run migrate-data again: it copies what is missing. " +
        "A damaged object in the target is stored anew from the source once you delete it there.",
    );
    return 1;
  }
  log(
    rows + copied.objects === 0
      ? "Nothing new to copy: the target already held every row and image. Verified."
      : `Copied ${rows} row(s) and ${copied.objects} object(s). Verified: the target holds everything in ${source.dataDir}.`,
  );
  return 0;
}

function report(check: Verification, log: (line: string) => void): void {
  log(`  ${"table".padEnd(14)}${"source".padStart(8)}${"target".padStart(8)}`);
  for (const t of check.tables) {
    const flag = t.source === t.target && t.missing + t.differing === 0 ? "ok" : "MISMATCH";
    log(`  ${t.table.padEnd(14)}${String(t.source).padStart(8)}${String(t.target).padStart(8)}  ${flag}`);
  }
  log(`  images: ${check.originals} original(s) hash to their sha256, ${check.thumbnails} thumbnail(s) match the source's`);
}
