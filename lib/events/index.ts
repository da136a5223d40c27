import "server-only";
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

function create(): EventBus {
  const { database } = env();
  return database.dialect === "postgresql" ? new PostgresEventBus(database.url) : new MemoryEventBus();
}
