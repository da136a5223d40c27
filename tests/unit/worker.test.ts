import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import sharp from "sharp";
import { useFreshDataDir } from "../support/test-db";
import type { Db } from "@/lib/db";
import type { ProviderAdapter, GenerationRequest } from "@/lib/providers/types";
import { ProviderError } from "@/lib/providers/types";
import type { JobWorker as JobWorkerType, WorkerDeps } from "@/lib/worker";

useFreshDataDir();
let db: Db;
let JobWorker: typeof JobWorkerType;
let jobs: typeof import("@/lib/jobs");

beforeAll(async () => {
  db = (await import("@/lib/db")).db();
  JobWorker = (await import("@/lib/worker")).JobWorker;
  jobs = await import("@/lib/jobs");
});

beforeEach(async () => {
  await db.jobOutput.deleteMany();
  await db.jobInput.deleteMany();
  await db.job.deleteMany();
});

const png = (hue: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: hue, g: 80, b: 160 } } }).png().toBuffer();

/** A fake async provider that records every call; results arrive after `pollsNeeded` polls. */
function fakeAsyncProvider(opts: { pollsNeeded?: number; failWith?: ProviderError; block?: Promise<void> } = {}) {
  const calls = { submit: [] as GenerationRequest[], poll: [] as string[], cancel: [] as string[] };
  let running = 0;
  let peak = 0;
  const polls = new Map<string, number>();
  const adapter: ProviderAdapter = {
    id: "demo",
    async submit(req) {
      calls.submit.push(req);
      running++;
      peak = Math.max(peak, running);
      return { status: "pending", providerJobId: `p_${req.jobId}`, pollAfterMs: 10 };
    },
    async poll(id, req) {
      calls.poll.push(id);
      await opts.block;
      const seen = (polls.get(id) ?? 0) + 1;
      polls.set(id, seen);
      if (seen < (opts.pollsNeeded ?? 1)) return { status: "pending", pollAfterMs: 10 };
      running--;
      if (opts.failWith) throw opts.failWith;
      return { status: "done", images: [{ bytes: await png(req.seed % 256) }] };
    },
    async cancel(id) {
      calls.cancel.push(id);
    },
  };
  return { adapter, calls, peak: () => peak };
}

function makeWorker(adapter: ProviderAdapter, extra: Partial<WorkerDeps> = {}) {
  let clock = 1_700_000_000_000;
  return new JobWorker({
    db,
    adapterFor: () => adapter,
    fetch: () => Promise.reject(new Error("no network in unit tests")),
    now: () => clock,
    // Time is simulated: sleeping only moves the fake clock forward.
    sleep: async (ms, signal) => {
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) throw new Error("aborted");
      clock += ms;
    },
    idleMs: 60_000,
    ...extra,
  });
}

const submit = (over: Record<string, unknown> = {}) => jobs.createJob({ provider: "demo", prompt: "a red chair", ...over });

async function settle(worker: JobWorkerType) {
  for (let i = 0; i < 50; i++) {
    await worker.idle();
    const active = await db.job.count({ where: { status: { in: ["queued", "running"] } } });
    if (active === 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("job pipeline", () => {
  it("saves the job as queued, with a recorded seed, before any provider call", async () => {
    const job = await submit();
    expect(job.status).toBe("queued");
    expect(Number.isInteger(job.seed)).toBe(true);
    const row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.seed).toBe(job.seed);
    const given = await submit({ seed: 42 });
    expect(given.seed).toBe(42);
  });

  it("moves a job queued → running → succeeded and stores its outputs", async () => {
    const fake = fakeAsyncProvider({ pollsNeeded: 3 });
    const worker = makeWorker(fake.adapter);
    const job = await submit({ seed: 7, n: 1 });
    await worker.start();
    await settle(worker);
    await worker.stop();
    const done = await jobs.getJob(job.id);
    expect(done?.status).toBe("succeeded");
    expect(done?.outputs).toHaveLength(1);
    expect(done?.outputs[0]).toMatchObject({ width: 64, height: 48 });
    expect(done?.startedAt).not.toBeNull();
    expect(done?.finishedAt).not.toBeNull();
    expect(fake.calls.submit).toHaveLength(1);
    expect(fake.calls.poll).toHaveLength(3);
    expect(fake.calls.submit[0]?.seed).toBe(7);
    const row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.providerJobId).toBe(`p_${job.id}`);
    expect(row.attempts).toBe(1);
  });

  it("ends a failing job as failed with the provider error code and plain words", async () => {
    const fake = fakeAsyncProvider({
      failWith: new ProviderError({ code: "moderated", userMessage: "The provider's content filter blocked this request.", detail: "nsfw" }),
    });
    const worker = makeWorker(fake.adapter);
    const job = await submit();
    await worker.start();
    await settle(worker);
    await worker.stop();
    const failed = await jobs.getJob(job.id);
    expect(failed?.status).toBe("failed");
    expect(failed?.error?.code).toBe("moderated");
    expect(failed?.error?.message).toContain("content filter");
    expect(failed?.outputs).toHaveLength(0);
  });

  it("never runs a job twice when two workers race for the same queue", async () => {
    const fake = fakeAsyncProvider();
    const a = makeWorker(fake.adapter, { concurrency: () => 3 });
    const b = makeWorker(fake.adapter, { concurrency: () => 3 });
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => submit({ prompt: `job ${i}` })));
    await Promise.all([a.start(), b.start()]);
    await Promise.all([settle(a), settle(b)]);
    await Promise.all([a.stop(), b.stop()]);
    const submittedIds = fake.calls.submit.map((r) => r.jobId).sort();
    expect(submittedIds).toEqual(created.map((j) => j.id).sort());
    expect(await db.job.count({ where: { status: "succeeded" } })).toBe(12);
  });

  it("holds the per-provider concurrency limit", async () => {
    const fake = fakeAsyncProvider({ pollsNeeded: 2 });
    const worker = makeWorker(fake.adapter, { concurrency: () => 2 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => submit({ prompt: `p${i}` })));
    await worker.start();
    await settle(worker);
    await worker.stop();
    expect(fake.peak()).toBe(2);
    expect(await db.job.count({ where: { status: "succeeded" } })).toBe(6);
  });

  it("cancels a running job, tells the provider, and keeps it canceled", async () => {
    let release!: () => void;
    const fake = fakeAsyncProvider({ block: new Promise<void>((r) => (release = r)) });
    const worker = makeWorker(fake.adapter);
    const { setWorkerHandle } = await import("@/lib/worker-handle");
    setWorkerHandle(worker);
    const job = await submit();
    await worker.start();
    while (fake.calls.poll.length === 0) await new Promise((r) => setTimeout(r, 5));
    const canceled = await jobs.cancelJob(job.id);
    expect(canceled.status).toBe("canceled");
    release();
    await worker.idle();
    await worker.stop();
    setWorkerHandle(undefined);
    const after = await jobs.getJob(job.id);
    expect(after?.status).toBe("canceled");
    expect(after?.outputs).toHaveLength(0);
    expect(fake.calls.cancel).toEqual([`p_${job.id}`]);
    await expect(jobs.cancelJob(job.id)).rejects.toMatchObject({ status: 409, code: "already_finished" });
  });

  it("after a restart resumes polling a saved provider job instead of submitting again", async () => {
    const job = await submit();
    await db.job.update({
      where: { id: job.id },
      data: { status: "running", claimedBy: "w_dead", providerJobId: `p_${job.id}`, startedAt: new Date() },
    });
    const fake = fakeAsyncProvider();
    const worker = makeWorker(fake.adapter);
    await worker.start();
    await settle(worker);
    await worker.stop();
    expect(fake.calls.submit).toHaveLength(0);
    expect(fake.calls.poll).toEqual([`p_${job.id}`]);
    expect((await jobs.getJob(job.id))?.status).toBe("succeeded");
  });

  it("after a restart runs queued jobs and re-runs a demo job cut off before it got a provider id", async () => {
    const queued = await submit({ prompt: "waiting" });
    const cut = await submit({ prompt: "cut off" });
    await db.job.update({ where: { id: cut.id }, data: { status: "running", claimedBy: "w_dead", startedAt: new Date() } });
    const fake = fakeAsyncProvider();
    const worker = makeWorker(fake.adapter);
    await worker.start();
    await settle(worker);
    await worker.stop();
    expect((await jobs.getJob(queued.id))?.status).toBe("succeeded");
    expect((await jobs.getJob(cut.id))?.status).toBe("succeeded");
    expect(await db.job.count({ where: { status: "running" } })).toBe(0);
  });
});
