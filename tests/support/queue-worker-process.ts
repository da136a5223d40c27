/**
 * One worker process for the multi-process queue tests (started by queue-worker.mjs).
 * It runs the real JobWorker, queue and pipeline against DATA_DIR; only the provider is a
 * small HTTP client for the test's fake (FAKE_URL), which sees every process's calls.
 * Messages: { cancel: jobId } → cancels through this process's lib/jobs, answers { canceled, status }.
 */
import { JobWorker } from "@/lib/worker";
import { db } from "@/lib/db";
import { cancelJob } from "@/lib/jobs";
import { setWorkerHandle } from "@/lib/worker-handle";
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

const adapter: ProviderAdapter = {
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

const worker = new JobWorker({
  db: db(),
  adapterFor: () => adapter,
  fetch: globalThis.fetch,
  now: Date.now,
  sleep,
  idleMs: 100,
  leaseMs: Number(process.env.WORKER_LEASE_MS),
  concurrency: () => Number(process.env.CONCURRENCY),
  log: (message, extra) => console.error(name, message, extra ?? ""),
});
setWorkerHandle(worker);

process.on("message", async (message: { cancel?: string }) => {
  if (!message.cancel) return;
  const job = await cancelJob(message.cancel);
  process.send!({ canceled: job.id, status: job.status });
});

await db().$queryRawUnsafe("PRAGMA journal_mode = WAL");
await worker.start();
process.send!({ ready: worker.id });
