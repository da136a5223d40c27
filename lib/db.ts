import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { PrismaClient as PostgresClient } from "./generated/prisma-pg/client";
import { env } from "./env";

export type Db = PrismaClient;
export type Dialect = "sqlite" | "postgresql";

const globalForDb = globalThis as unknown as { atelierDb?: PrismaClient };

/** Which database DATABASE_URL chose; raw SQL that differs between the two asks this. */
export function dialect(): Dialect {
  return env().database.dialect;
}

/** The one Prisma client of this process (kept on globalThis so dev reloads and bundles share it). */
export function db(): PrismaClient {
  globalForDb.atelierDb ??= connect();
  return globalForDb.atelierDb;
}

/** For a short-lived process (a CLI): an open connection pool would keep it from exiting. */
export async function closeDb(): Promise<void> {
  const client = globalForDb.atelierDb;
  globalForDb.atelierDb = undefined;
  await client?.$disconnect();
}

function connect(): PrismaClient {
  const database = env().database;
  if (database.dialect === "sqlite") {
    // Wait up to 5 s for another process's write lock instead of failing at once with SQLITE_BUSY.
    return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: database.url, timeout: 5000 }) });
  }
  const adapter = new PrismaPg(
    { connectionString: database.url },
    // A pooled connection that drops while idle (a database restart) is replaced on next use; say so, don't crash.
    { onPoolError: (error) => console.error("[db] idle PostgreSQL connection lost:", error.message) },
  );
  // Both clients are generated from the same models (prisma/postgresql/schema.prisma is made from
  // prisma/schema.prisma), so their model API is the same. Their types differ only in
  // PostgreSQL-only extras (such as `mode: "insensitive"`), which code that serves both must not
  // use anyway: typing it as the SQLite client keeps every caller blind to the dialect.
  return new PostgresClient({ adapter }) as unknown as PrismaClient;
}

/** WAL lets the gallery read while the worker writes; the mode is stored in the file, so once per process is plenty. */
export async function tuneDatabase(): Promise<void> {
  if (dialect() === "sqlite") await db().$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
