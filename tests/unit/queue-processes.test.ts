/**
 * Two worker processes on one SQLite file, against one fake provider that sees both: the
 * queue (lib/queue) must keep them from running a job twice or exceeding a provider's
 * concurrency between them, hand a killed process's jobs to the other once their leases
 * end, and let a cancel sent to either process stop the job wherever it runs.
 */
import type { ChildProcess } from "node:child_process";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { startFakeProvider, type FakeProvider } from "../support/fake-provider";
import { useFreshDataDir } from "../support/test-db";
import { until } from "../support/wait";
import { killWorker, startWorkerProcess } from "../support/worker-processes";

const dataDir = useFreshDataDir();
const LIMIT = 3;
// Short enough that the kill test's hand-over comes quickly, long enough that a busy machine
// stalling a worker's renewals (every lease/3) cannot make a live lease lapse (seen at 1.5 s).
const LEASE_MS = 5000;
let db: Db;
let newId: () => string;

/** An async provider that counts jobs in flight (submitted, not yet done or canceled) across every caller. */
type QueueFake = {
  holding: boolean;
  submissions: { jobId: string; worker: string }[];
  polls: { id: string; worker: string }[];
  cancels: { id: string; worker: string }[];
  inFlight: Set<string>;
  peak: number;
};
let provider: FakeProvider;
let fake: QueueFake;
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = (await import("@/lib/db")).db();
  newId = (await import("@/lib/ids")).newId;
  const png = (await sharp({ create: { width: 40, height: 30, channels: 3, background: "#3a6" } }).png().toBuffer()).toString("base64");
  provider = await startFakeProvider((req) => {
    const worker = String(req.headers["x-worker"]);
    const [, action, id = ""] = req.path.split("/");
    if (action === "submit") {
      const providerId = `p_${req.json.jobId}`;
      fake.submissions.push({ jobId: req.json.jobId, worker });
      fake.inFlight.add(providerId);
      fake.peak = Math.max(fake.peak, fake.inFlight.size);
      return { json: { id: providerId } };
    }
    if (action === "cancel") {
      fake.cancels.push({ id, worker });
      fake.inFlight.delete(id);
      return { json: {} };
    }
    fake.polls.push({ id, worker });
    const seen = fake.polls.filter((p) => p.id === id).length;
    if (fake.holding || seen < 3 || !fake.inFlight.has(id)) return { json: { done: false } };
    fake.inFlight.delete(id);
    return { json: { done: true, png } };
  });
});

afterAll(() => provider.close());

// The first start compiles lib/ and the Prisma client into jiti's cache; later ones are quick.
beforeAll(async () => {
  const warm = await startWorker("warm-up");
  warm.child.kill("SIGKILL");
}, 300_000);

beforeEach(async () => {
  fake = { holding: false, submissions: [], polls: [], cancels: [], inFlight: new Set(), peak: 0 };
  await db.jobOutput.deleteMany();
  await db.job.deleteMany();
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

const startWorker = (name: string) =>
  startWorkerProcess(
    name,
    { DATA_DIR: dataDir, DATABASE_URL: undefined, FAKE_URL: provider.url, WORKER_LEASE_MS: String(LEASE_MS), THEROUTER_CONCURRENCY: String(LIMIT) },
    children,
  );

async function queueJobs(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const job = await db.job.create({
      data: {
        id: newId(),
        provider: "therouter",
        model: "black-forest-labs/flux-kontext-dev",
        mode: "generate",
        prompt: `queue job ${i}`,
        promptSearch: `queue job ${i}`,
        aspectRatio: "1:1",
        seed: i,
        n: 1,
        status: "queued",
      },
    });
    ids.push(job.id);
  }
  return ids;
}

const statusOf = async (id: string) => (await db.job.findUniqueOrThrow({ where: { id } })).status;
const allIn = async (ids: string[], status: string) => (await db.job.count({ where: { id: { in: ids }, status } })) === ids.length;
const submissionsOf = (jobId: string) => fake.submissions.filter((s) => s.jobId === jobId);

describe("two worker processes on one database", () => {
  it("run every job exactly once and never exceed the provider's concurrency between them", async () => {
    const [a, b] = await Promise.all([startWorker("A"), startWorker("B")]);
    const ids = await queueJobs(12);
    await until("all 12 jobs to succeed", () => allIn(ids, "succeeded"), 60_000);

    for (const id of ids) expect(submissionsOf(id)).toHaveLength(1);
    expect(fake.peak).toBeLessThanOrEqual(LIMIT);
    // Each provider job was followed by one process only: none ran in both.
    for (const id of ids) expect(new Set(fake.polls.filter((p) => p.id === `p_${id}`).map((p) => p.worker)).size).toBe(1);
    const owners = await db.job.findMany({ where: { id: { in: ids } }, select: { claimedBy: true } });
    expect(owners.every((o) => o.claimedBy === a.id || o.claimedBy === b.id)).toBe(true);
    expect(await db.jobOutput.count({ where: { jobId: { in: ids } } })).toBe(12);
  }, 90_000);

  it("after kill -9 of one, the other resumes its jobs once their leases end, without submitting them again", async () => {
    fake.holding = true;
    const a = await startWorker("A");
    const ids = await queueJobs(5);
    await until("A to have a full set of jobs at the provider", () => fake.inFlight.size === LIMIT, 30_000);
    const b = await startWorker("B");
    const taken = await db.job.findMany({ where: { id: { in: ids }, claimedBy: a.id, status: "running" }, select: { id: true } });
    expect(taken).toHaveLength(LIMIT);

    await killWorker(a);
    const pollsBeforeKill = fake.polls.length;
    fake.holding = false;
    await until("all jobs to succeed", () => allIn(ids, "succeeded"), 60_000);

    for (const id of ids) expect(submissionsOf(id)).toHaveLength(1);
    expect(fake.peak).toBeLessThanOrEqual(LIMIT);
    for (const { id } of taken) {
      expect(submissionsOf(id)[0]!.worker).toBe("A");
      expect(fake.polls.slice(pollsBeforeKill).filter((p) => p.id === `p_${id}`).every((p) => p.worker === "B")).toBe(true);
      expect((await db.job.findUniqueOrThrow({ where: { id } })).claimedBy).toBe(b.id);
    }
  }, 90_000);

  it("stops a running job when the cancel is sent to either process", async () => {
    fake.holding = true;
    const a = await startWorker("A");
    const [first, second, third] = await queueJobs(LIMIT);
    await until("A to run every job", () => fake.inFlight.size === LIMIT, 30_000);
    const b = await startWorker("B");

    // Sent to B, while A runs the job: it travels through the database.
    expect((await b.cancel(first!)).status).toBe("canceled");
    // Sent to A itself.
    expect((await a.cancel(second!)).status).toBe("canceled");
    await until("both jobs canceled at the provider", () => fake.cancels.length === 2, 30_000);
    expect(fake.cancels.map((c) => c.id).sort()).toEqual([`p_${first}`, `p_${second}`].sort());
    expect(fake.cancels.every((c) => c.worker === "A")).toBe(true);

    // Their slots come free while the third still holds one.
    const more = await queueJobs(2);
    await until("the new jobs to reach the provider", () => more.every((id) => submissionsOf(id).length === 1), 30_000);
    expect(fake.peak).toBeLessThanOrEqual(LIMIT);
    fake.holding = false;
    await until("the rest to succeed", () => allIn([third!, ...more], "succeeded"), 30_000);
    for (const id of [first!, second!]) {
      expect(await statusOf(id)).toBe("canceled");
      expect(await db.jobOutput.count({ where: { jobId: id } })).toBe(0);
      expect(submissionsOf(id)).toHaveLength(1);
    }
  }, 90_000);
});
