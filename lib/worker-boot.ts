import "server-only";
import { collectGarbage } from "./collect-garbage";
import { db, tuneDatabase } from "./db";
import { env } from "./env";
import { jobEvents } from "./events";
import { loadAdapters } from "./providers/registry";
import { sweepOrphans } from "./maintenance";
import { foldOldPrompts } from "./prompt-search";
import { jobQueue } from "./queue";
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

const SHUTDOWN_GRACE_MS = 10_000;

/** Starts this process's one worker (called from instrumentation.ts under the Node runtime). */
export async function startWorker(): Promise<void> {
  await tuneDatabase();
  // Before serving: a search must find old jobs too. Instances starting together fold the same values.
  const folded = await foldOldPrompts();
  if (folded > 0) console.log(`[search] folded the prompts of ${folded} older jobs for search`);
  if (env().ATELIER_WORKER === "off") {
    onStopSignal(() => process.exit(0));
    return;
  }
  const adapterFor = await loadAdapters();
  const worker = new JobWorker({
    db: db(),
    adapterFor,
    fetch: globalThis.fetch,
    now: Date.now,
    sleep,
    idleMs: env().WORKER_IDLE_MS,
    queue: jobQueue(),
    leaseMs: env().WORKER_LEASE_MS,
    concurrency: (id) => env().concurrency[id],
    onIdle: collectGarbage,
    timeouts: { syncCallMs: env().PROVIDER_SYNC_TIMEOUT_MS, requestMs: env().PROVIDER_REQUEST_TIMEOUT_MS },
    jobDeadlineMs: env().PROVIDER_JOB_DEADLINE_MS,
    log: (message, extra) => console.error(message, extra ?? ""),
    publish: (signal) => jobEvents().publish(signal),
  });
  setWorkerHandle(worker);
  await worker.start();
  // Housekeeping after a crash; never blocks serving.
  void sweepOrphans().catch((error) => console.error("[worker] orphan sweep failed", error));
  // With NEXT_MANUAL_SIG_HANDLE set (npm run studio sets it), Next leaves signals to us, so
  // short steps can finish before the process exits. Without it Next exits at once, and
  // recovery at the next start covers the rest.
  const shutdown = async () => {
    await worker.shutdown(SHUTDOWN_GRACE_MS);
    process.exit(0);
  };
  onStopSignal(() => void shutdown());
}

function onStopSignal(handler: () => void): void {
  process.once("SIGTERM", handler);
  process.once("SIGINT", handler);
}
