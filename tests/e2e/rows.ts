import { randomBytes } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { searchText } from "../../lib/search-text";

/**
 * Job rows written straight into the shared server's database, for states the demo engine
 * cannot reach (a provider's malformed answer, a content filter, a job stuck at a provider).
 * The pages then read them exactly as they read the worker's rows.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function ulid(ms: number): string {
  let time = "";
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  return time + Array.from(randomBytes(16), (b) => ALPHABET[b & 31]).join("");
}

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

function open() {
  const dir = process.env.ATELIER_TEST_DATA_DIR;
  if (!dir) throw new Error("ATELIER_TEST_DATA_DIR is not set (the global setup sets it)");
  const db = new Database(path.join(dir, "atelier.db"));
  db.pragma("busy_timeout = 10000");
  return db;
}

export type JobRow = {
  prompt: string;
  status: "running" | "failed";
  startedAtMs: number;
  errorCode?: string;
  errorMessage?: string;
};

/** A demo-engine generate job; returns its id. */
export function insertJob(row: JobRow): string {
  const db = open();
  try {
    const id = ulid(Date.now());
    const finished = row.status === "failed" ? iso(Date.now()) : null;
    // A running row is held by another live worker (a lease for an hour), so the server's own
    // worker does not take it over and finish it while the spec looks at it.
    const lease = row.status === "running" ? iso(Date.now() + 3_600_000) : null;
    db.prepare(
      `INSERT INTO "Job" (id, provider, model, mode, prompt, promptSearch, aspectRatio, seed, n, status, providerJobId, attempts, claimedBy, leaseExpiresAt, errorCode, errorMessage, createdAt, startedAt, finishedAt)
       VALUES (?, 'demo', 'demo', 'generate', ?, ?, '1:1', 7, 1, ?, ?, 1, 'w_gone', ?, ?, ?, ?, ?, ?)`,
    ).run(id, row.prompt, searchText(row.prompt), row.status, `demo_${row.startedAtMs}`, lease, row.errorCode ?? null, row.errorMessage ?? null, iso(row.startedAtMs), iso(row.startedAtMs), finished);
    return id;
  } finally {
    db.close();
  }
}

/** Ends a row this spec left running, so later specs waiting for a quiet server are not held up. */
export function cancelJob(id: string): void {
  const db = open();
  try {
    db.prepare(`UPDATE "Job" SET status = 'canceled', finishedAt = ?, leaseExpiresAt = NULL WHERE id = ? AND status = 'running'`).run(iso(Date.now()), id);
  } finally {
    db.close();
  }
}
