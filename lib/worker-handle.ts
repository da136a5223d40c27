import "server-only";

/**
 * The worker lives in the instrumentation bundle; route handlers and server actions are
 * separate bundles in the same process, so they reach it through globalThis.
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
