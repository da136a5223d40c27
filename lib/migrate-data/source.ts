import "server-only";
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client";
import { LocalStorage } from "../storage/local";
import { MigrateDataError } from "./errors";

export type Source = {
  dataDir: string;
  databaseFile: string;
  db: PrismaClient;
  /** The source's image folder, read through the same key checks as the studio. */
  files: LocalStorage;
};

/**
 * The old studio's DATA_DIR, opened read-only: the copy never changes the source. Its schema
 * must be this release's, so every column the target has is read.
 */
export async function openSource(root: string, dataDir: string, databaseFile = path.join(dataDir, "atelier.db")): Promise<Source> {
  if (!fs.existsSync(databaseFile)) throw new MigrateDataError(`No SQLite database at ${databaseFile}: --from must name the old studio's DATA_DIR.`);
  const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${databaseFile}`, readonly: true, fileMustExist: true, timeout: 5000 }) });
  const committed = migrationNames(path.join(root, "prisma/migrations"));
  const applied = await db.$queryRaw<{ name: string }[]>`
    SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`.catch(() => []);
  const done = new Set(applied.map((row) => row.name));
  const newer = [...done].filter((name) => !committed.includes(name));
  if (newer.length > 0) {
    throw new MigrateDataError(`The source was migrated by a newer Atelier (${newer.join(", ")}): run migrate-data from that release.`);
  }
  if (committed.some((name) => !done.has(name))) {
    throw new MigrateDataError(
      `The source database is older than this release. Bring it up to date first: DATA_DIR=${dataDir} npm run migrate ` +
        "(this changes only its schema), then run migrate-data again.",
    );
  }
  return { dataDir, databaseFile, db, files: new LocalStorage(path.join(dataDir, "images")) };
}

export function migrationNames(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Running jobs whose lease is still live: a sign the old studio is still at work on this folder. */
export async function liveLeases(source: Source): Promise<number> {
  return source.db.job.count({ where: { status: "running", leaseExpiresAt: { gt: new Date() } } });
}
