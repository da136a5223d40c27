/**
 * Team accounts from the outside: as an operator makes them (`npm run user`, scripts/user.mjs,
 * run against a test server's own database), or straight in its database (SQLite or
 * PostgreSQL, as tests/support/stored.ts reads it) behind its back; and reads of who a row
 * says made it.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { ROOT, type TestServer } from "./server";

type Server = Pick<TestServer, "dataDir" | "env">;
export type NewAccount = { id: string; email: string; role: "admin" | "member"; passwordHash: string };
export type CliResult = { code: number; stdout: string; stderr: string };

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

/**
 * `npm run user -- <args>` on the server's data (its DATA_DIR, or its DATABASE_URL on the
 * PostgreSQL run), printing links under the server's URL unless `env` says otherwise.
 */
export function userCli(server: Server & Pick<TestServer, "url">, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "scripts/user.mjs"), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...server.env, DATA_DIR: server.dataDir, DATABASE_URL: server.env.DATABASE_URL ?? "", ATELIER_PUBLIC_URL: server.url, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** The one-time link a CLI `add` or `reset` printed. */
export function inviteLink(stdout: string): string {
  const link = /(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]{43})\s*$/m.exec(stdout)?.[1];
  if (!link) throw new Error(`no invite link in:\n${stdout}`);
  return link;
}

/** Moves this person's invites' expiry to `at`, as if they had waited that long. */
export async function setInviteExpiry(server: Server, email: string, at: Date): Promise<void> {
  // Dates as Prisma's SQLite adapter writes them (ISO 8601 with +00:00), so its comparisons hold.
  const value = onPostgres(server) ? at : at.toISOString().replace("Z", "+00:00");
  await run(server, `UPDATE "Invite" SET "expiresAt" = ? WHERE "accountId" = (SELECT id FROM "Account" WHERE email = ?)`, [value, email]);
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
