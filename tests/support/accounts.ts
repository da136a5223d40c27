/**
 * Team accounts from the outside, as an operator makes them: `npm run user` (scripts/user.mjs)
 * run against a test server's own database, and invite rows altered behind its back.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { ROOT, type TestServer } from "./server";

type Server = Pick<TestServer, "dataDir" | "env" | "url">;

const onPostgres = (server: Server) => /^postgres(ql)?:\/\//.test(server.env.DATABASE_URL ?? "");

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * `npm run user -- <args>` on the server's data (its DATA_DIR, or its DATABASE_URL on the
 * PostgreSQL run), printing links under the server's URL unless `env` says otherwise.
 */
export function userCli(server: Server, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
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
  if (onPostgres(server)) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(`UPDATE "Invite" SET "expiresAt" = $1 WHERE "accountId" = (SELECT id FROM "Account" WHERE email = $2)`, [at, email]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(path.join(server.dataDir, "atelier.db"), { fileMustExist: true });
  try {
    // Written as Prisma's SQLite adapter writes dates (ISO 8601 with +00:00), so its comparisons hold.
    db.prepare(`UPDATE "Invite" SET "expiresAt" = ? WHERE "accountId" = (SELECT id FROM "Account" WHERE email = ?)`).run(
      at.toISOString().replace("Z", "+00:00"),
      email,
    );
  } finally {
    db.close();
  }
}
