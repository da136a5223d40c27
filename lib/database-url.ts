import path from "node:path";

/**
 * Which database DATABASE_URL names. One rule for the server (lib/env.ts) and the Prisma CLI
 * (prisma.config.ts): unset → SQLite at DATA_DIR/atelier.db; `file:<path>` → SQLite in that
 * file (relative to the working directory); `postgresql://…` or `postgres://…` → PostgreSQL.
 */
export type DatabaseTarget = { dialect: "sqlite"; url: `file:${string}` } | { dialect: "postgresql"; url: string };

export const DATABASE_URL_PATTERN = /^(file:.+|postgres(ql)?:\/\/.+)$/;
export const DATABASE_URL_HINT = "must be file:<path> (SQLite) or postgresql://user:password@host:port/database (PostgreSQL)";

/** `value` must match DATABASE_URL_PATTERN (or be empty); `dataDir` is absolute. */
export function databaseTarget(value: string | undefined, dataDir: string): DatabaseTarget {
  if (!value) return { dialect: "sqlite", url: `file:${path.join(dataDir, "atelier.db")}` };
  if (value.startsWith("file:")) return { dialect: "sqlite", url: `file:${path.resolve(/* turbopackIgnore: true */ process.cwd(), value.slice(5))}` };
  return { dialect: "postgresql", url: value };
}
