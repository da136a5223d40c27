import "server-only";
import { db, tuneDatabase } from "./db";
import { env } from "./env";
import { adapterFor } from "./providers/registry";
import { JobWorker } from "./worker";
import { setWorkerHandle } from "./worker-handle";

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Starts this process's one worker (called from instrumentation.ts under the Node runtime). */
export async function startWorker(): Promise<void> {
  await tuneDatabase();
  if (env().ATELIER_WORKER === "off") return;
  const worker = new JobWorker({
    db: db(),
    adapterFor,
    fetch: globalThis.fetch,
    now: Date.now,
    sleep,
    idleMs: env().WORKER_IDLE_MS,
    timeouts: { syncCallMs: env().PROVIDER_SYNC_TIMEOUT_MS, requestMs: env().PROVIDER_REQUEST_TIMEOUT_MS },
    jobDeadlineMs: env().PROVIDER_JOB_DEADLINE_MS,
    log: (message, extra) => console.error(message, extra ?? ""),
  });
  setWorkerHandle(worker);
  await worker.start();
  const shutdown = () => void worker.stop();
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
