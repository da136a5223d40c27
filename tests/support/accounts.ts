/**
 * Team accounts made behind a test server's back, straight in its database (SQLite or
 * PostgreSQL, as tests/support/stored.ts reads it), for tests that need people before there
 * is a CLI or Team page to make them; and reads of who a row says made it.
 */
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { TestServer } from "./server";

type Server = Pick<TestServer, "dataDir" | "env">;
export type NewAccount = { id: string; email: string; role: "admin" | "member"; passwordHash: string };

const onPostgres = (server: Server) => /^postgres(ql)?:\/\//.test(server.env.DATABASE_URL ?? "");

async function run<T>(server: Server, sql: string, params: unknown[]): Promise<T[]> {
  if (onPostgres(server)) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      // The same statement in PostgreSQL's placeholder style.
      let i = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++i}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(server.dataDir, "atelier.db"), { fileMustExist: true });
  try {
    const statement = db.prepare(sql);
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
  } finally {
    db.close();
  }
}

/** The first one turns the server to team mode (within its 2 s cache of that). */
export async function insertAccount(server: Server, account: NewAccount): Promise<void> {
  // Dates as Prisma's SQLite adapter writes them (ISO 8601 with +00:00), so it reads them back.
  const now = onPostgres(server) ? new Date() : new Date().toISOString().replace("Z", "+00:00");
  await run(server, `INSERT INTO "Account" (id, email, role, "passwordHash", "createdAt") VALUES (?, ?, ?, ?, ?)`, [
    account.id,
    account.email,
    account.role,
    account.passwordHash,
    now,
  ]);
}

/** The account each of these images or jobs is recorded as made by (null: none). */
export async function madeBy(server: Server, table: "Image" | "Job", ids: string[]): Promise<Record<string, string | null>> {
  const rows = await run<{ id: string; accountId: string | null }>(
    server,
    `SELECT id, "accountId" FROM "${table}" WHERE id IN (${ids.map(() => "?").join(", ")})`,
    ids,
  );
  return Object.fromEntries(rows.map((row) => [row.id, row.accountId]));
}
