import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { atelierDb?: PrismaClient };

/** The one Prisma client of this process (kept on globalThis so dev reloads and bundles share it). */
export function db(): PrismaClient {
  if (!globalForDb.atelierDb) {
    const adapter = new PrismaBetterSQLite3({ url: env().databaseUrl });
    globalForDb.atelierDb = new PrismaClient({ adapter });
  }
  return globalForDb.atelierDb;
}
