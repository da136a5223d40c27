import "server-only";
import { db } from "../db";
import { env } from "../env";
import { PgBossJobQueue } from "./pgboss";
import { SqliteJobQueue } from "./sqlite";
import type { JobQueue } from "./types";

// On globalThis: route handlers and the worker (instrumentation) are separate bundles in one
// process, and must share one queue (with PostgreSQL: one pg-boss and one pool).
const slot = globalThis as unknown as { atelierQueue?: JobQueue };

/** This process's queue, shared by the worker and the routes that queue and cancel jobs. */
export function jobQueue(): JobQueue {
  slot.atelierQueue ??= create();
  return slot.atelierQueue;
}

function create(): JobQueue {
  const options = { now: Date.now, leaseMs: env().WORKER_LEASE_MS };
  const { database } = env();
  return database.dialect === "postgresql"
    ? new PgBossJobQueue(db(), { ...options, url: database.url })
    : new SqliteJobQueue(db(), options);
}
