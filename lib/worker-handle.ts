import "server-only";

/**
 * The worker lives in the instrumentation bundle; route handlers and server actions are
 * separate bundles in the same process, so they reach it through globalThis. This is only
 * the fast path: a cancel is written to the database first (lib/queue), which reaches a
 * worker in any process, and other processes find new jobs on their next idle tick.
 */
export type WorkerHandle = { kick(): void; abort(jobId: string): void };

const slot = globalThis as unknown as { atelierWorker?: WorkerHandle };

export function setWorkerHandle(handle: WorkerHandle | undefined): void {
  slot.atelierWorker = handle;
}

export function kickWorker(): void {
  slot.atelierWorker?.kick();
}

export function abortRunningJob(jobId: string): void {
  slot.atelierWorker?.abort(jobId);
}
