import "server-only";
import { db } from "../db";
import { env } from "../env";
import { SqliteJobQueue } from "./sqlite";
import type { JobQueue } from "./types";

let instance: JobQueue | undefined;

/** This process's queue, shared by the worker and the routes that cancel jobs. */
export function jobQueue(): JobQueue {
  instance ??= new SqliteJobQueue(db(), { now: Date.now, leaseMs: env().WORKER_LEASE_MS });
  return instance;
}
