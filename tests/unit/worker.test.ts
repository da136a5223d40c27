import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import sharp from "sharp";
import { useFreshDataDir } from "../support/test-db";
import { sleep, until } from "../support/wait";
import type { Db } from "@/lib/db";
import type { ProviderAdapter, GenerationRequest, ProviderImage } from "@/lib/providers/types";
import { ProviderError } from "@/lib/providers/types";
import type { JobWorker as JobWorkerType, WorkerDeps } from "@/lib/worker";
import { OPEN_ACTOR } from "@/lib/actor";

const dataDir = useFreshDataDir();
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

const submit = (over: Record<string, unknown> = {}) => jobs.createJob({ provider: "demo", prompt: "a red chair", ...over }, OPEN_ACTOR);

/** Starts the worker, lets every job reach an end, and stops it. */
async function runUntilSettled(worker: JobWorkerType) {
  await worker.start();
  await settle(worker);
  await worker.stop();
}

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
    await runUntilSettled(worker);
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
    await runUntilSettled(worker);
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
    await runUntilSettled(worker);
    expect(fake.peak()).toBe(2);
    expect(await db.job.count({ where: { status: "succeeded" } })).toBe(6);
  });

  it("hands memory back once a burst of jobs is over, not after every job", async () => {
    const fake = fakeAsyncProvider();
    let idleCalls = 0;
    const worker = makeWorker(fake.adapter, { concurrency: () => 2, onIdle: () => idleCalls++, idleAfterMs: 100 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => submit({ prompt: `burst ${i}` })));
    await worker.start();
    await settle(worker);
    await until("the idle call after the burst", () => idleCalls > 0);
    await sleep(300);
    expect(idleCalls).toBe(1);
    await submit({ prompt: "one more" });
    worker.kick();
    await settle(worker);
    await until("the idle call after the next job", () => idleCalls > 1);
    await worker.stop();
    expect(await db.job.count({ where: { status: "succeeded" } })).toBe(7);
    expect(idleCalls).toBe(2);
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
    const canceled = await jobs.cancelJob(job.id, OPEN_ACTOR);
    expect(canceled.status).toBe("canceled");
    release();
    await worker.idle();
    await worker.stop();
    setWorkerHandle(undefined);
    const after = await jobs.getJob(job.id);
    expect(after?.status).toBe("canceled");
    expect(after?.outputs).toHaveLength(0);
    expect(fake.calls.cancel).toEqual([`p_${job.id}`]);
    await expect(jobs.cancelJob(job.id, OPEN_ACTOR)).rejects.toMatchObject({ code: "already_finished" });
  });

  it("after a restart resumes polling a saved provider job instead of submitting again", async () => {
    const job = await submit();
    await db.job.update({
      where: { id: job.id },
      data: { status: "running", claimedBy: "w_dead", providerJobId: `p_${job.id}`, startedAt: new Date() },
    });
    const fake = fakeAsyncProvider();
    const worker = makeWorker(fake.adapter);
    await runUntilSettled(worker);
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
    await runUntilSettled(worker);
    expect((await jobs.getJob(queued.id))?.status).toBe("succeeded");
    expect((await jobs.getJob(cut.id))?.status).toBe("succeeded");
    expect(await db.job.count({ where: { status: "running" } })).toBe(0);
  });
});

describe("provider faults", () => {
  /** A sync provider scripted call by call: each entry answers one submit. */
  function scriptedSync(script: (() => Promise<ProviderImage[]>)[]) {
    const calls: GenerationRequest[] = [];
    const adapter: ProviderAdapter = {
      id: "demo",
      async submit(req) {
        calls.push(req);
        const next = script.shift();
        if (!next) throw new Error("unexpected extra submission");
        return { status: "done", images: await next() };
      },
    };
    return { adapter, calls };
  }
  const image = async () => [{ bytes: await png(10) }];
  const throttled = async (): Promise<ProviderImage[]> => {
    throw new ProviderError({ code: "rate_limited", retryable: true, notReceived: true, retryAfterMs: 7000, userMessage: "slow down" });
  };
  const serverError = async (): Promise<ProviderImage[]> => {
    throw new ProviderError({ code: "provider_error", retryable: true, userMessage: "The provider had an internal error." });
  };

  it("re-sends a submission the provider certainly did not take (429), honouring Retry-After", async () => {
    const sleeps: number[] = [];
    const fake = scriptedSync([throttled, throttled, image]);
    const worker = makeWorker(fake.adapter, { sleep: async (ms) => void sleeps.push(ms) });
    const job = await submit();
    await runUntilSettled(worker);
    expect((await jobs.getJob(job.id))?.status).toBe("succeeded");
    expect(fake.calls).toHaveLength(3);
    expect(sleeps.filter((ms) => ms >= 7000)).toHaveLength(2);
  });

  it("never re-sends a submission that may have been billed (5xx): the job fails once", async () => {
    const fake = scriptedSync([serverError, image]);
    const worker = makeWorker(fake.adapter);
    const job = await submit();
    await runUntilSettled(worker);
    const failed = await jobs.getJob(job.id);
    expect(fake.calls).toHaveLength(1);
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toMatchObject({ code: "provider_error" });
  });

  it("retries a failing poll with backoff and still finishes", async () => {
    let polls = 0;
    const adapter: ProviderAdapter = {
      id: "demo",
      submit: async () => ({ status: "pending", providerJobId: "p1", pollAfterMs: 10 }),
      async poll() {
        polls++;
        if (polls <= 2) throw new ProviderError({ code: "provider_error", retryable: true, userMessage: "502" });
        return { status: "done", images: await image() };
      },
    };
    const worker = makeWorker(adapter);
    const job = await submit();
    await runUntilSettled(worker);
    expect((await jobs.getJob(job.id))?.status).toBe("succeeded");
    expect(polls).toBe(3);
  });

  it("gives up an async job past its deadline, cancels it at the provider and says so", async () => {
    const canceled: string[] = [];
    const adapter: ProviderAdapter = {
      id: "demo",
      submit: async () => ({ status: "pending", providerJobId: "slow", pollAfterMs: 60_000 }),
      poll: async () => ({ status: "pending", pollAfterMs: 60_000 }),
      cancel: async (id) => void canceled.push(id),
    };
    const worker = makeWorker(adapter, { jobDeadlineMs: 10 * 60_000 });
    const job = await submit();
    await runUntilSettled(worker);
    const failed = await jobs.getJob(job.id);
    expect(failed?.status).toBe("failed");
    expect(failed?.error?.code).toBe("timeout");
    expect(canceled).toEqual(["slow"]);
  });

  it("fails with `expired` when the result URL is already gone, keeping the job readable", async () => {
    const adapter: ProviderAdapter = {
      id: "demo",
      submit: async () => ({ status: "done", images: [{ url: "http://127.0.0.1:9/gone.png" }] }),
    };
    const worker = makeWorker(adapter, { fetch: async () => new Response("gone", { status: 404 }) });
    const job = await submit();
    await runUntilSettled(worker);
    expect((await jobs.getJob(job.id))?.error?.code).toBe("expired");
  });

  it("fails with `invalid_response` when the provider's bytes are not an image", async () => {
    const adapter: ProviderAdapter = { id: "demo", submit: async () => ({ status: "done", images: [{ bytes: Buffer.from("<html>") }] }) };
    const worker = makeWorker(adapter);
    const job = await submit();
    await runUntilSettled(worker);
    expect((await jobs.getJob(job.id))?.error?.code).toBe("invalid_response");
  });

  it("records one seed per output image", async () => {
    const adapter: ProviderAdapter = {
      id: "demo",
      submit: async (req) => ({
        status: "done",
        images: await Promise.all([0, 1].map(async (i) => ({ bytes: await png(i * 90), seed: req.seed + i }))),
      }),
    };
    const worker = makeWorker(adapter);
    const job = await submit({ seed: 100, n: 2 });
    await runUntilSettled(worker);
    expect((await jobs.getJob(job.id))?.outputs.map((o) => o.seed)).toEqual([100, 101]);
  });

  it("after a restart ends a paid job cut off before its provider id was saved as `interrupted`, never re-sending it", async () => {
    const cut = await db.job.create({
      data: {
        id: (await import("@/lib/ids")).newId(),
        provider: "dmxapi",
        model: "flux-kontext-pro",
        mode: "generate",
        prompt: "cut off",
        promptSearch: "cut off",
        aspectRatio: "1:1",
        seed: 1,
        n: 1,
        status: "running",
        claimedBy: "w_dead",
      },
    });
    const fake = scriptedSync([]);
    const worker = makeWorker(fake.adapter);
    await runUntilSettled(worker);
    const after = await jobs.getJob(cut.id);
    expect(after?.status).toBe("failed");
    expect(after?.error?.code).toBe("interrupted");
    expect(fake.calls).toHaveLength(0);
  });
});

describe("a data folder that cannot be written", () => {
  it("fails the job clearly, keeps the provider link, and saves it on retry without a new submission", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    // A size no other test uses: identical bytes would be found already stored (deduplicated) and never written.
    const bytes = await sharp({ create: { width: 97, height: 61, channels: 3, background: "#c0ffee" } }).png().toBuffer();
    let submits = 0;
    const adapter: ProviderAdapter = {
      id: "demo",
      submit: async () => {
        submits++;
        return { status: "done", images: [{ url: "http://127.0.0.1:9/result.png" }] };
      },
    };
    const fetchResult = (async () => new Response(new Uint8Array(bytes), { headers: { "content-type": "image/png" } })) as typeof fetch;
    // A file where the originals folder should be: even root cannot create files under it.
    const originals = path.join(dataDir, "images", "originals");
    fs.rmSync(originals, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(originals), { recursive: true });
    fs.writeFileSync(originals, "not a folder");
    const worker = makeWorker(adapter, { fetch: fetchResult });
    const job = await submit();
    await worker.start();
    await settle(worker);
    const failed = await jobs.getJob(job.id);
    expect(failed?.status).toBe("failed");
    expect(failed?.error?.code).toBe("storage_failed");
    expect(failed?.error?.message).toMatch(/not writable|full/);
    expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).resultUrls).toContain("result.png");

    fs.rmSync(originals);
    const { retrySaving } = await import("@/lib/library");
    expect((await retrySaving(job.id)).status).toBe("queued");
    worker.kick();
    await settle(worker);
    await worker.stop();
    const saved = await jobs.getJob(job.id);
    expect(saved?.status).toBe("succeeded");
    expect(saved?.outputs).toHaveLength(1);
    expect(submits).toBe(1);
    await expect(retrySaving(job.id)).rejects.toMatchObject({ code: "not_recoverable" });
  });
});
