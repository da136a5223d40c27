/**
 * One worker process for the multi-process queue tests (started by queue-worker.mjs).
 * It runs the real JobWorker, queue (the one DATABASE_URL picks: SQLite in DATA_DIR or
 * pg-boss on PostgreSQL), per-provider limits (<PROVIDER>_CONCURRENCY) and pipeline; only the
 * providers are small HTTP clients for the test's fake (FAKE_URL), which sees every process's
 * calls: "therouter" async (submit, then poll), "dmxapi" sync (one call answers with the image).
 * Messages: { cancel: jobId } → cancels through this process's lib/jobs, answers { canceled, status }.
 */
import { OPEN_ACTOR } from "@/lib/actor";
import { JobWorker } from "@/lib/worker";
import { db, tuneDatabase } from "@/lib/db";
import { env } from "@/lib/env";
import { cancelJob } from "@/lib/jobs";
import { jobQueue } from "@/lib/queue";
import { setWorkerHandle } from "@/lib/worker-handle";
import type { ProviderId } from "@/lib/catalog";
import type { ProviderAdapter, ProviderContext } from "@/lib/providers/types";

const fakeUrl = process.env.FAKE_URL!;
const name = process.env.WORKER_NAME!;

async function call(ctx: ProviderContext, path: string, method = "GET", body?: unknown) {
  const response = await ctx.fetch(`${fakeUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", "x-worker": name },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: ctx.signal,
  });
  if (!response.ok) throw new Error(`fake provider answered ${response.status}`);
  return response.json();
}

const asyncAdapter: ProviderAdapter = {
  id: "therouter",
  async submit(req, ctx) {
    const { id } = await call(ctx, "/submit", "POST", { jobId: req.jobId });
    return { status: "pending", providerJobId: id, pollAfterMs: 50 };
  },
  async poll(id, _req, ctx) {
    const answer = await call(ctx, `/poll/${id}`);
    if (!answer.done) return { status: "pending", pollAfterMs: 50 };
    return { status: "done", images: [{ bytes: Buffer.from(answer.png, "base64") }] };
  },
  async cancel(id, ctx) {
    await call(ctx, `/cancel/${id}`, "POST", {});
  },
};

const syncAdapter: ProviderAdapter = {
  id: "dmxapi",
  async submit(req, ctx) {
    const answer = await call(ctx, "/run", "POST", { jobId: req.jobId });
    return { status: "done", images: [{ bytes: Buffer.from(answer.png, "base64") }] };
  },
};

const adapters: Partial<Record<ProviderId, ProviderAdapter>> = { therouter: asyncAdapter, dmxapi: syncAdapter };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

const worker = new JobWorker({
  db: db(),
  adapterFor: (id) => adapters[id]!,
  fetch: globalThis.fetch,
  now: Date.now,
  sleep,
  idleMs: 100,
  queue: jobQueue(),
  leaseMs: env().WORKER_LEASE_MS,
  concurrency: (id) => env().concurrency[id],
  log: (message, extra) => console.error(name, message, extra ?? ""),
});
setWorkerHandle(worker);

process.on("message", async (message: { cancel?: string }) => {
  if (!message.cancel) return;
  const job = await cancelJob(message.cancel, OPEN_ACTOR);
  process.send!({ canceled: job.id, status: job.status });
});

await tuneDatabase();
await worker.start();
process.send!({ ready: worker.id });
