/**
 * Two worker processes on one throwaway PostgreSQL, jobs scheduled through pg-boss
 * (lib/queue/pgboss.ts), against fake providers that see both: an async one ("therouter":
 * submit, then poll) and a sync one ("dmxapi": one call answers with the image). Jobs are
 * queued through lib/jobs as the studio does. Each job must run once, each provider's limit
 * (<PROVIDER>_CONCURRENCY) must hold across both processes, a cancel sent to either must stop
 * the job where it runs, a killed process's jobs must be taken over without paying twice, a
 * lost pg-boss entry must be put back by the sweep, and a database restart must lose nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import type { JobQueue } from "@/lib/queue/types";
import { startFakeProvider, type FakeProvider } from "../support/fake-provider";
import { useFreshPostgres, type PostgresCluster } from "../support/postgres";
import { sleep, until } from "../support/wait";
import { killWorker, startWorkerProcess } from "../support/worker-processes";

const LIMITS = { therouter: 3, dmxapi: 2 } as const;
type Provider = keyof typeof LIMITS;
// As in tests/unit/queue-processes.test.ts: short for quick takeovers, long enough that a busy
// machine stalling renewals (every lease/3) cannot make a live lease lapse.
const LEASE_MS = 5000;

let cluster: PostgresCluster;
let dataDir: string;
let db: Db;
let queue: JobQueue;
let createJob: (raw: unknown) => Promise<{ id: string }>;
let newId: () => string;

/** What the providers saw, from every process. A job is in flight from its submission until it is done or canceled. */
type Fake = {
  holding: boolean;
  submissions: { jobId: string; provider: Provider; worker: string }[];
  polls: { id: string; worker: string }[];
  cancels: { id: string; worker: string }[];
  inFlight: Record<Provider, Set<string>>;
  peak: Record<Provider, number>;
  done: Set<string>;
};
let fake: Fake;
let provider: FakeProvider;
const children: ChildProcess[] = [];

function enter(kind: Provider, id: string) {
  fake.inFlight[kind].add(id);
  fake.peak[kind] = Math.max(fake.peak[kind], fake.inFlight[kind].size);
}

beforeAll(async () => {
  ({ cluster, dataDir } = await useFreshPostgres());
  // Keys only so lib/jobs accepts these providers; the workers talk to the fake.
  process.env.THEROUTER_API_KEY = "test-key";
  process.env.DMXAPI_API_KEY = "test-key";
  db = (await import("@/lib/db")).db();
  queue = (await import("@/lib/queue")).jobQueue();
  const jobs = await import("@/lib/jobs");
  const { OPEN_ACTOR } = await import("@/lib/actor");
  createJob = (raw) => jobs.createJob(raw, OPEN_ACTOR);
  newId = (await import("@/lib/ids")).newId;
  const png = (await sharp({ create: { width: 40, height: 30, channels: 3, background: "#36a" } }).png().toBuffer()).toString("base64");
  provider = await startFakeProvider(async (req) => {
    const worker = String(req.headers["x-worker"]);
    const [, action, id = ""] = req.path.split("/");
    if (action === "submit") {
      fake.submissions.push({ jobId: req.json.jobId, provider: "therouter", worker });
      enter("therouter", `p_${req.json.jobId}`);
      return { json: { id: `p_${req.json.jobId}` } };
    }
    if (action === "run") {
      // The sync call: answered once the provider is let go, even if the caller is gone by then.
      fake.submissions.push({ jobId: req.json.jobId, provider: "dmxapi", worker });
      const key = `s_${req.json.jobId}`;
      enter("dmxapi", key);
      await until("the fake to be let go", () => !fake.holding, 120_000, 20);
      await new Promise((resolve) => setTimeout(resolve, 100));
      fake.inFlight.dmxapi.delete(key);
      return { json: { png } };
    }
    if (action === "cancel") {
      fake.cancels.push({ id, worker });
      fake.inFlight.therouter.delete(id);
      return { json: {} };
    }
    fake.polls.push({ id, worker });
    // A finished job keeps answering with its result, as a real provider does.
    if (fake.done.has(id)) return { json: { done: true, png } };
    const seen = fake.polls.filter((p) => p.id === id).length;
    if (fake.holding || seen < 3 || !fake.inFlight.therouter.has(id)) return { json: { done: false } };
    fake.inFlight.therouter.delete(id);
    fake.done.add(id);
    return { json: { done: true, png } };
  });
  // The first start compiles lib/ and the Prisma clients into jiti's cache; later ones are quick.
  const warm = await startWorker("warm-up");
  warm.child.kill("SIGKILL");
}, 300_000);

afterAll(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await provider?.close();
  // Our connections first, or they report the server going away.
  await (queue as { close?: () => Promise<void> } | undefined)?.close?.();
  await db?.$disconnect();
  await cluster?.stop();
});

beforeEach(async () => {
  fake = {
    holding: false,
    submissions: [],
    polls: [],
    cancels: [],
    inFlight: { therouter: new Set(), dmxapi: new Set() },
    peak: { therouter: 0, dmxapi: 0 },
    done: new Set(),
  };
  await db.jobOutput.deleteMany();
  await db.job.deleteMany();
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

const startWorker = (name: string) =>
  startWorkerProcess(
    name,
    {
      DATA_DIR: dataDir,
      DATABASE_URL: cluster.url,
      FAKE_URL: provider.url,
      WORKER_LEASE_MS: String(LEASE_MS),
      THEROUTER_CONCURRENCY: String(LIMITS.therouter),
      DMXAPI_CONCURRENCY: String(LIMITS.dmxapi),
    },
    children,
  );

/** Queued as the studio queues them: rows, then their pg-boss entries. */
async function queueJobs(kind: Provider, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createJob({ provider: kind, prompt: `${kind} job ${i}`, seed: i })).id);
  return ids;
}

const statusOf = async (id: string) => (await db.job.findUniqueOrThrow({ where: { id } })).status;
/** False rather than a throw while the database restarts. */
/**
 * Read on a connection of its own each time: this file's long-lived client rides a PostgreSQL
 * restart no better than any pool, and what is asked is whether the workers recovered.
 */
const allIn = (ids: string[], status: string) =>
  rawQuery(`SELECT count(*)::int AS n FROM "Job" WHERE id = ANY($1) AND status = $2`, [ids, status]).then(
    (result) => result.rows[0]!.n === ids.length,
    () => false,
  );

/** Waits for every job to succeed; if they don't, the failure says where each one stands. */
async function untilAllSucceed(ids: string[], timeoutMs: number): Promise<void> {
  try {
    await until("all jobs to succeed", () => allIn(ids, "succeeded"), timeoutMs);
  } catch (error) {
    const rows = await rawQuery(`SELECT id, status, "claimedBy", "leaseExpiresAt", attempts, "errorCode" FROM "Job" WHERE id = ANY($1) AND status <> 'succeeded'`, [ids]).then(
      (result) => result.rows,
      (e: Error) => [`could not read the jobs: ${e.message}`],
    );
    throw new Error(`${(error as Error).message}; not succeeded: ${JSON.stringify(rows)}`);
  }
}
const submissionsOf = (jobId: string) => fake.submissions.filter((s) => s.jobId === jobId);

function expectEachSubmittedOnce(ids: string[]) {
  for (const id of ids) expect(submissionsOf(id), `submissions of ${id}`).toHaveLength(1);
}
function expectWithinLimits() {
  expect(fake.peak.therouter).toBeLessThanOrEqual(LIMITS.therouter);
  expect(fake.peak.dmxapi).toBeLessThanOrEqual(LIMITS.dmxapi);
}

describe("two worker processes on one PostgreSQL, scheduled by pg-boss", () => {
  it("run every job exactly once and never exceed either provider's concurrency between them", async () => {
    const [a, b] = await Promise.all([startWorker("A"), startWorker("B")]);
    fake.holding = true;
    const async = await queueJobs("therouter", 12);
    const sync = await queueJobs("dmxapi", 6);
    // Both providers full, with more waiting: give both processes many claim ticks to overstep.
    await until("both providers to be full", () => fake.inFlight.therouter.size >= LIMITS.therouter && fake.inFlight.dmxapi.size >= LIMITS.dmxapi, 30_000);
    await sleep(1500);
    expectWithinLimits();
    fake.holding = false;
    await until("all jobs to succeed", () => allIn([...async, ...sync], "succeeded"), 60_000);

    expectEachSubmittedOnce([...async, ...sync]);
    expectWithinLimits();
    for (const id of async) expect(new Set(fake.polls.filter((p) => p.id === `p_${id}`).map((p) => p.worker)).size).toBe(1);
    const owners = await db.job.findMany({ where: { id: { in: [...async, ...sync] } }, select: { claimedBy: true } });
    expect(owners.every((o) => o.claimedBy === a.id || o.claimedBy === b.id)).toBe(true);
    expect(await db.jobOutput.count()).toBe(18);
  }, 90_000);

  it("stops a running job when the cancel is sent to either process", async () => {
    fake.holding = true;
    const a = await startWorker("A");
    const [first, second, third] = await queueJobs("therouter", LIMITS.therouter);
    await until("A to run every job", () => fake.inFlight.therouter.size === LIMITS.therouter, 30_000);
    const b = await startWorker("B");

    // Sent to B while A runs the job: it travels through the database.
    expect((await b.cancel(first!)).status).toBe("canceled");
    expect((await a.cancel(second!)).status).toBe("canceled");
    await until("both jobs canceled at the provider", () => fake.cancels.length === 2, 30_000);
    expect(fake.cancels.map((c) => c.id).sort()).toEqual([`p_${first}`, `p_${second}`].sort());
    expect(fake.cancels.every((c) => c.worker === "A")).toBe(true);

    // Their slots come free while the third still holds one.
    const more = await queueJobs("therouter", 2);
    await until("the new jobs to reach the provider", () => more.every((id) => submissionsOf(id).length === 1), 30_000);
    expectWithinLimits();
    fake.holding = false;
    await until("the rest to succeed", () => allIn([third!, ...more], "succeeded"), 30_000);
    for (const id of [first!, second!]) {
      expect(await statusOf(id)).toBe("canceled");
      expect(await db.jobOutput.count({ where: { jobId: id } })).toBe(0);
      expect(submissionsOf(id)).toHaveLength(1);
    }
  }, 90_000);

  it("after kill -9 of one, the other resumes its async jobs without a second submission, ends its sync calls interrupted, and runs the rest", async () => {
    fake.holding = true;
    const a = await startWorker("A");
    const async = await queueJobs("therouter", 5);
    const sync = await queueJobs("dmxapi", 3);
    await until(
      "A to fill both providers",
      () => fake.inFlight.therouter.size === LIMITS.therouter && fake.inFlight.dmxapi.size === LIMITS.dmxapi,
      30_000,
    );
    const b = await startWorker("B");
    const running = await db.job.findMany({ where: { status: "running", claimedBy: a.id }, select: { id: true, provider: true } });
    const takenAsync = running.filter((j) => j.provider === "therouter").map((j) => j.id);
    const takenSync = running.filter((j) => j.provider === "dmxapi").map((j) => j.id);
    expect([takenAsync.length, takenSync.length]).toEqual([LIMITS.therouter, LIMITS.dmxapi]);

    await killWorker(a);
    const killedAt = Date.now();
    const pollsBeforeKill = fake.polls.length;
    fake.holding = false;
    await until("A's async jobs to be polled by B", () => takenAsync.every((id) => fake.polls.slice(pollsBeforeKill).some((p) => p.id === `p_${id}`)), 60_000);
    expect(Date.now() - killedAt).toBeLessThan(120_000);
    await until("A's sync jobs to end", () => allIn(takenSync, "failed"), 60_000);
    const rest = [...async, ...sync].filter((id) => !takenSync.includes(id));
    await until("every other job to succeed", () => allIn(rest, "succeeded"), 60_000);

    expectEachSubmittedOnce([...async, ...sync]);
    expectWithinLimits();
    for (const id of takenAsync) {
      expect(submissionsOf(id)[0]!.worker).toBe("A");
      expect(fake.polls.slice(pollsBeforeKill).filter((p) => p.id === `p_${id}`).every((p) => p.worker === "B")).toBe(true);
      expect((await db.job.findUniqueOrThrow({ where: { id } })).claimedBy).toBe(b.id);
    }
    for (const id of takenSync) expect((await db.job.findUniqueOrThrow({ where: { id } })).errorCode).toBe("interrupted");
  }, 120_000);

  it("the sweep puts back a job whose pg-boss entry was lost, and one that never got one", async () => {
    const [lost] = await queueJobs("therouter", 1);
    const { rowCount } = await rawQuery(`DELETE FROM pgboss.job WHERE singleton_key = $1`, [lost]);
    expect(rowCount).toBe(1);
    // A row saved by a process that died before handing it to pg-boss.
    const orphan = await db.job.create({
      data: { id: newId(), provider: "therouter", model: "black-forest-labs/flux-kontext-dev", mode: "generate", prompt: "orphan", promptSearch: "orphan", aspectRatio: "1:1", seed: 1, n: 1, status: "queued" },
    });
    await startWorker("A");
    await until("both jobs to succeed", () => allIn([lost!, orphan.id], "succeeded"), 30_000);
    expectEachSubmittedOnce([lost!, orphan.id]);
  }, 60_000);

  it("carries on through a PostgreSQL restart in the middle of a load, losing and repeating nothing", async () => {
    await Promise.all([startWorker("A"), startWorker("B")]);
    const async = await queueJobs("therouter", 12);
    const sync = await queueJobs("dmxapi", 4);
    await until("jobs at the provider", () => fake.submissions.length >= 4, 30_000);
    await cluster.restart(1500);
    // Generous: under a full `npm test` the bench smoke shares the two cores with this file, and
    // recovery waits out leases and backoff; what is asserted is that nothing is lost or repeated.
    await untilAllSucceed([...async, ...sync], 180_000);

    expectEachSubmittedOnce([...async, ...sync]);
    expectWithinLimits();
    expect(await db.jobOutput.count()).toBe(16);
  }, 240_000);
});

describe("npm run worker", () => {
  it("runs queued jobs in a process without a web server, and exits cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [path.resolve("scripts/worker.mjs")], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: cluster.url, DEMO_DELAY_MS: "50" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await until("the worker to start", () => output.includes("worker started"), 120_000);
    // The demo engine through the real pipeline, queued as the studio queues it.
    const { id } = await createJob({ provider: "demo", prompt: "a worker-only process", seed: 7 });
    await until("the job to succeed", () => allIn([id], "succeeded"), 30_000);
    expect(await db.jobOutput.count({ where: { jobId: id } })).toBe(1);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 180_000);
});

async function rawQuery(sql: string, values: unknown[]): Promise<{ rowCount: number | null; rows: Record<string, unknown>[] }> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}
