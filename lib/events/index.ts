import "server-only";
import { db } from "../db";
import { env } from "../env";
import { MemoryEventBus } from "./memory";
import { PostgresEventBus } from "./postgres";
import type { EventBus, JobSignal } from "./types";

export type { EventBus, JobSignal } from "./types";

// On globalThis: the worker (instrumentation bundle) publishes, the route handlers' bundle subscribes.
const slot = globalThis as unknown as { atelierEvents?: EventBus };

/** This process's event bus: in-process on SQLite, LISTEN/NOTIFY on PostgreSQL. */
export function jobEvents(): EventBus {
  slot.atelierEvents ??= create();
  return slot.atelierEvents;
}

export function publishJob(signal: JobSignal): void {
  jobEvents().publish(signal);
}

/** How often an open stream on SQLite looks for commits by another process (a separate worker). */
const OTHER_WRITERS_MS = 1000;

function create(): EventBus {
  const { database } = env();
  if (database.dialect === "postgresql") return new PostgresEventBus(database.url);
  // data_version changes only when another connection (another process) has committed.
  const probe = async () => (await db().$queryRawUnsafe<{ data_version: unknown }[]>("PRAGMA data_version"))[0]?.data_version;
  return new MemoryEventBus({ probe, everyMs: OTHER_WRITERS_MS });
}
