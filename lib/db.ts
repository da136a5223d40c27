import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { atelierDb?: PrismaClient };

/** The one Prisma client of this process (kept on globalThis so dev reloads and bundles share it). */
export function db(): PrismaClient {
  if (!globalForDb.atelierDb) {
    // Wait up to 5 s for another process's write lock instead of failing at once with SQLITE_BUSY.
    const adapter = new PrismaBetterSQLite3({ url: env().databaseUrl, timeout: 5000 });
    globalForDb.atelierDb = new PrismaClient({ adapter });
  }
  return globalForDb.atelierDb;
}

/** WAL lets the gallery read while the worker writes; the mode is stored in the file, so once per process is plenty. */
export async function tuneDatabase(): Promise<void> {
  await db().$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
