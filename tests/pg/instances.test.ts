/**
 * Several Atelier instances as a team would run them: three real `next start` servers (the
 * build in .next) sharing one throwaway PostgreSQL (jobs scheduled through pg-boss), one
 * S3-compatible server (s3rver) and ATELIER_PASSWORD, in front of the provider fakes, which
 * count what every instance sends them. What must hold (issue 13):
 * - a job sent to any instance runs exactly once, and every instance shows it, its images,
 *   lineage, batch and the ledger alike;
 * - a provider's limit holds across instances; a cancel sent to one stops the job on another;
 * - kill -9 of an instance: its async jobs are resumed elsewhere without paying twice, its sync
 *   call ends `interrupted`, nothing queued is lost;
 * - PostgreSQL restarted or S3 unreachable mid-load: nothing lost, /api/health names the part;
 * - a session from one instance is valid on the others, and the sign-in throttle is shared.
 * The servers run through the whole file; a test that kills one leaves the others to the rest.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gradientPng, sha256 } from "../support/fixtures";
import type { RecordedRequest } from "../support/fake-provider";
import { startPostgres, type PostgresCluster } from "../support/postgres";
import { startFleet } from "../support/provider-fleet";
import { startS3, type TestS3 } from "../support/s3";
import { type Json, startServer, type TestServer } from "../support/server";
import { sleep, until } from "../support/wait";

const PASSWORD = "one studio, many instances";
const LIMITS = { therouter: 4, dmxapi: 2, quickrouter: 4 } as const;
// Short, so a killed instance's jobs are taken over within seconds; long enough that a
// PostgreSQL restart (about 2 s here) does not let a live instance's leases lapse.
const LEASE_MS = 5000;
const TERMINAL = ["succeeded", "failed", "canceled"];

let cluster: PostgresCluster;
let s3: TestS3;
let fleet: Awaited<ReturnType<typeof startFleetForTest>>;
const instances: TestServer[] = [];
const killed = new Set<TestServer>();
/** The session cookie every request carries (signed in on the first instance). */
let session = "";

const startFleetForTest = () =>
  startFleet({
    therouter: { key: "tr-instances-key", pollsUntilDone: 1 },
    quickrouter: { key: "qr-instances-key", pollsUntilDone: 1 },
    dmxapi: { key: "dmx-instances-key" },
  });

beforeAll(async () => {
  [cluster, s3, fleet] = await Promise.all([startPostgres(), startS3(), startFleetForTest()]);
  const env = {
    ...fleet.env,
    ...s3.env,
    DATABASE_URL: cluster.url,
    ATELIER_PASSWORD: PASSWORD,
    WORKER_LEASE_MS: String(LEASE_MS),
    WORKER_IDLE_MS: "250",
    THEROUTER_CONCURRENCY: String(LIMITS.therouter),
    DMXAPI_CONCURRENCY: String(LIMITS.dmxapi),
    QUICKROUTER_CONCURRENCY: String(LIMITS.quickrouter),
  };
  // Each one applies the migrations first; the migration lock lets one of them do it.
  const started = await Promise.allSettled([0, 1, 2].map(() => startServer({ env, readyPath: "/login" })));
  for (const s of started) if (s.status === "fulfilled") instances.push(s.value);
  for (const s of started) if (s.status === "rejected") throw s.reason;
  const res = await signIn(instances[0]!, PASSWORD);
  session = sessionCookie(res)!;
  expect(session, "the sign-in on the first instance sets a session cookie").toBeTruthy();
}, 180_000);

afterAll(async () => {
  for (const server of instances) {
    // A test that failed while others were paused must not leave them paused (or running).
    resume(server);
    server.kill();
  }
  await Promise.all(instances.map((server) => server.stop()));
  await fleet?.close();
  await s3?.close();
  await cluster?.stop();
});

afterEach(({ task }) => {
  // What the servers said is what explains a failure here.
  if (task.result?.state !== "fail") return;
  for (const server of instances) console.error(`--- ${server.url} (pid ${server.pid}), last lines:\n${server.logs().slice(-3000)}`);
});

// ---------------------------------------------------------------------------------------
// Helpers.

const live = () => instances.filter((server) => !killed.has(server));

type Answer = { status: number; body: Json; res: Response };

async function call(server: TestServer, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, { ...init, redirect: "manual", headers: { cookie: `atelier_session=${session}`, ...init.headers } });
  const text = await res.text();
  let body: Json = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, res };
}
const get = (server: TestServer, path: string) => call(server, path);
const post = (server: TestServer, path: string, body: unknown) =>
  call(server, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function createJob(server: TestServer, body: Record<string, unknown>): Promise<Json> {
  const r = await post(server, "/api/jobs", body);
  if (r.status !== 201) throw new Error(`POST /api/jobs on ${server.url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function upload(server: TestServer, bytes: Buffer): Promise<Answer> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)], { type: "image/png" }), "input.png");
  return call(server, "/api/uploads", { method: "POST", body: form });
}

/** Polls one instance until the job has ended; answers other than 200 (a database restart) are waited out. */
async function ended(server: TestServer, id: string, timeoutMs = 60_000): Promise<Json> {
  let last: Json;
  await until(
    `job ${id} to end`,
    async () => {
      const r = await get(server, `/api/jobs/${id}`).catch(() => undefined);
      if (r?.status === 200) last = r.body;
      return TERMINAL.includes(last?.status);
    },
    timeoutMs,
    200,
  );
  return last;
}

async function image(server: TestServer, url: string): Promise<{ status: number; etag: string | null; sha: string }> {
  const res = await fetch(`${server.url}${url}`, { headers: { cookie: `atelier_session=${session}` } });
  return { status: res.status, etag: res.headers.get("etag"), sha: sha256(new Uint8Array(await res.arrayBuffer())) };
}

/** The same bytes and ETag from every live instance. */
async function expectSameImageEverywhere(url: string): Promise<void> {
  const seen = await Promise.all(live().map((server) => image(server, url)));
  expect(seen[0]!.status, url).toBe(200);
  expect(seen[0]!.etag, url).toMatch(/^"[0-9a-f]+(-t)?"$/);
  for (const other of seen.slice(1)) expect(other, url).toEqual(seen[0]);
}

/** One question to the shared database, on a connection of its own (the cluster restarts in one test). */
async function sql<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The instance whose worker holds the job (worker ids start w_<pid>_). */
async function ownerOf(jobId: string): Promise<TestServer | undefined> {
  const [row] = await sql<{ claimedBy: string | null }>(`SELECT "claimedBy" FROM "Job" WHERE id = $1`, [jobId]);
  const pid = Number(/^w_(\d+)_/.exec(row?.claimedBy ?? "")?.[1]);
  return instances.find((server) => server.pid === pid);
}

const pause = (server: TestServer) => void process.kill(server.pid, "SIGSTOP");
function resume(server: TestServer): void {
  try {
    process.kill(server.pid, "SIGCONT");
  } catch {
    // already gone
  }
}

/**
 * Runs `step` with every other instance paused, so the jobs it queues on `target` are
 * claimed there: a test can then know which instance runs what. The others hold no job
 * meanwhile, so pausing them lets no lease lapse.
 */
async function onlyOn(target: TestServer, step: () => Promise<void>): Promise<void> {
  const others = live().filter((server) => server !== target);
  others.forEach(pause);
  try {
    await step();
  } finally {
    others.forEach(resume);
  }
}

/** The most requests open at the same moment: arrival to answer (or hang-up). */
function mostAtOnce(requests: RecordedRequest[]): number {
  const events = requests.flatMap((r) => [
    { at: r.receivedAt, step: 1 },
    { at: r.endedAt ?? Infinity, step: -1 },
  ]);
  // An answer and an arrival at the same millisecond: the answer first.
  events.sort((x, y) => x.at - y.at || x.step - y.step);
  let open = 0;
  let most = 0;
  for (const { step } of events) most = Math.max(most, (open += step));
  return most;
}

const onePerPrompt = (submissions: (prompt: string) => RecordedRequest[], prompts: string[]) =>
  prompts.filter((prompt) => submissions(prompt).length !== 1);

function signIn(server: TestServer, password: string): Promise<Response> {
  return fetch(`${server.url}/api/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password, next: "/" }).toString(),
  });
}
const sessionCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith("atelier_session="))
    ?.split(";")[0]!
    .slice("atelier_session=".length);

async function health(server: TestServer): Promise<Answer> {
  // Open without a session: a monitor has none.
  const res = await fetch(`${server.url}/api/health`);
  return { status: res.status, body: JSON.parse(await res.text()), res };
}

// ---------------------------------------------------------------------------------------

describe("three instances on one PostgreSQL, one bucket and one password", () => {
  it("runs a job sent to any instance exactly once, and every instance shows it, its images, lineage, batch and the ledger", async () => {
    const [a, b, c] = instances as [TestServer, TestServer, TestServer];
    const tr = fleet.fakes.therouter;
    const input = await upload(a, await gradientPng(640, 480, 21));
    expect(input.status).toBe(201);
    await expectSameImageEverywhere(input.body.url);
    await expectSameImageEverywhere(`${input.body.url}?variant=thumb`);

    const prompt = "instances: the red door, edited once";
    const job = await createJob(b, { provider: "therouter", prompt, inputImageIds: [input.body.id] });
    const batchPrompt = "instances: three variations of a harbour";
    const batch = await post(a, "/api/jobs/batch", { recipe: { provider: "therouter", prompt: batchPrompt }, variations: 3 });
    expect(batch.status).toBe(201);
    const done = await ended(c, job.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    for (const j of batch.body.jobs) expect((await ended(c, j.id)).status).toBe("succeeded");
    // Many claim ticks of every instance: a job run twice would show as a second submission.
    await sleep(1500);
    expect(tr.submissions(prompt)).toHaveLength(1);
    expect(tr.submissions(batchPrompt)).toHaveLength(3);
    expect(new Set(tr.submissions(batchPrompt).map((r) => r.json.seed)).size).toBe(3);
    for (const id of [job.id, ...batch.body.jobs.map((j: Json) => j.id)]) {
      expect(await ownerOf(id), `the worker that ran ${id} is one of the instances`).toBeDefined();
    }

    const everywhere = async (path: string) => {
      const answers = await Promise.all([a, b, c].map((server) => get(server, path)));
      for (const r of answers) expect(r.status, path).toBe(200);
      for (const r of answers.slice(1)) expect(r.body, path).toEqual(answers[0]!.body);
      return answers[0]!.body;
    };
    expect(await everywhere(`/api/jobs/${job.id}`)).toEqual(done);
    expect(done.outputs).toHaveLength(1);
    for (const output of [...done.outputs, ...done.inputs]) {
      await expectSameImageEverywhere(output.url);
      await expectSameImageEverywhere(output.thumbUrl);
    }
    const lineage = await everywhere(`/api/images/${input.body.id}/lineage`);
    expect(lineage.root.imageId).toBe(input.body.id);
    expect(lineage.root.children.map((child: Json) => [child.jobId, child.outputs.map((o: Json) => o.imageId)])).toEqual([
      [job.id, [done.outputs[0].imageId]],
    ]);
    const shown = await everywhere(`/api/batches/${batch.body.batchId}`);
    expect(shown.jobs.map((j: Json) => [j.id, j.status, j.outputs.length])).toEqual(batch.body.jobs.map((j: Json) => [j.id, "succeeded", 1]));
    const ledger = await everywhere("/api/ledger");
    expect(ledger.rows.filter((row: Json) => row.provider === "therouter").reduce((n: number, row: Json) => n + row.jobs, 0)).toBe(4);
  }, 90_000);

  it("never runs more jobs of a provider at once than its limit, across all instances", async () => {
    const dmx = fleet.fakes.dmxapi;
    const prompts = Array.from({ length: 20 }, (_, i) => `instances: limit load ${i}`);
    // The first two calls are long and are made by two different instances, so the limit is
    // shared across instances for certain, not only when the load happens to spread.
    dmx.plan(prompts[0]!, { submitDelayMs: 3000 });
    dmx.plan(prompts[1]!, { submitDelayMs: 1500 });
    for (const prompt of prompts.slice(2)) dmx.plan(prompt, { submitDelayMs: 400 });
    const servers = live();
    const opening: Json[] = [];
    for (const [i, server] of [servers[0]!, servers[1]!].entries()) {
      // Others pause only for one submit and claim; the paused holder's lease is far from lapsing.
      await onlyOn(server, async () => {
        opening.push(await createJob(server, { provider: "dmxapi", prompt: prompts[i] }));
        await until(`call ${i} at the provider`, () => dmx.submissions(prompts[i]).length === 1);
      });
    }
    const rest = await Promise.all(prompts.slice(2).map((prompt, i) => createJob(servers[i % servers.length]!, { provider: "dmxapi", prompt })));
    const jobs = [...opening, ...rest];
    for (const job of jobs) expect((await ended(servers[0]!, job.id)).status).toBe("succeeded");

    expect(onePerPrompt(dmx.submissions, prompts), "prompts not submitted exactly once").toEqual([]);
    const requests = prompts.flatMap((prompt) => dmx.submissions(prompt));
    // Equal: never more, and the load did fill the limit (so the count could have shown more).
    expect(mostAtOnce(requests), "most DMXAPI calls open at once").toBe(LIMITS.dmxapi);
    const owners = new Set(await Promise.all(jobs.map((job) => ownerOf(job.id))));
    expect(owners.size, "instances that ran a share of the load").toBeGreaterThanOrEqual(2);
  }, 90_000);

  it("stops a job running on one instance when the cancel is sent to another", async () => {
    const qr = fleet.fakes.quickrouter;
    const [runner, other] = live() as [TestServer, TestServer];
    const prompt = "instances: cancel me from the other instance";
    qr.holding = true;
    let job: Json;
    try {
      await onlyOn(runner, async () => {
        job = await createJob(runner, { provider: "quickrouter", prompt });
        // Its prediction id saved: from here on a cancel must reach the provider.
        await until("the runner to submit it", async () => (await sql(`SELECT 1 FROM "Job" WHERE id = $1 AND "providerJobId" IS NOT NULL`, [job.id])).length === 1);
      });
      expect(await ownerOf(job.id)).toBe(runner);

      const canceled = await post(other, `/api/jobs/${job.id}/cancel`, {});
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe("canceled");
      const prediction = qr.predictionIdFor(prompt)!;
      await until("the runner to cancel it at the provider", () => qr.cancels(prediction).length === 1, 15_000);
      const polls = qr.polls(prediction).length;
      await sleep(2500); // past QuickRouter's poll interval
      expect(qr.polls(prediction), "polls after the cancel").toHaveLength(polls);
    } finally {
      qr.holding = false;
    }
    for (const server of live()) {
      const shown = (await get(server, `/api/jobs/${job.id}`)).body;
      expect([shown.status, shown.outputs]).toEqual(["canceled", []]);
    }
    expect(qr.submissions(prompt)).toHaveLength(1);
  }, 60_000);

  it("after kill -9 of an instance mid-load, resumes its async jobs elsewhere without a second submission, ends its sync call interrupted, and loses nothing queued", async () => {
    const tr = fleet.fakes.therouter;
    const dmx = fleet.fakes.dmxapi;
    const [victim, survivor] = live() as [TestServer, TestServer];
    const asyncPrompts = Array.from({ length: LIMITS.therouter + 2 }, (_, i) => `instances: kill, async ${i}`);
    const syncPrompts = Array.from({ length: LIMITS.dmxapi + 1 }, (_, i) => `instances: kill, sync ${i}`);
    // Answered only long after the kill: the victim's sync calls are in flight when it dies.
    for (const prompt of syncPrompts) dmx.plan(prompt, { submitDelayMs: 30_000 });
    tr.holding = true;
    const ids: string[] = [];
    let taken: { id: string; provider: string; providerJobId: string | null }[] = [];
    try {
      await onlyOn(victim, async () => {
        for (const prompt of asyncPrompts) ids.push((await createJob(victim, { provider: "therouter", prompt })).id);
        for (const prompt of syncPrompts) ids.push((await createJob(victim, { provider: "dmxapi", prompt })).id);
        await until(
          "the victim to fill both providers",
          async () => {
            taken = await sql(`SELECT id, provider, "providerJobId" FROM "Job" WHERE id = ANY($1) AND status = 'running'`, [ids]);
            const submittedAsync = taken.filter((j) => j.provider === "therouter" && j.providerJobId).length;
            const syncAtProvider = syncPrompts.filter((prompt) => dmx.submissions(prompt).length === 1).length;
            return submittedAsync === LIMITS.therouter && syncAtProvider === LIMITS.dmxapi;
          },
          30_000,
        );
      });
      for (const { id } of taken) expect(await ownerOf(id)).toBe(victim);
      victim.kill();
      await victim.exited;
      killed.add(victim);
      const killedAt = Date.now();
      // What comes now is answered at once: the queued sync job must not wait 30 s.
      for (const prompt of syncPrompts) dmx.plan(prompt, {});
      tr.holding = false;

      const takenAsync = taken.filter((j) => j.provider === "therouter");
      const pollsBefore = new Map(takenAsync.map((j) => [j.id, tr.polls(j.providerJobId!).length]));
      await until("the victim's async jobs to be polled again", () => takenAsync.every((j) => tr.polls(j.providerJobId!).length > pollsBefore.get(j.id)!), 120_000);
      expect(Date.now() - killedAt, "takeover after the kill (ms)").toBeLessThan(120_000);
    } finally {
      tr.holding = false;
    }

    const finals = new Map<string, Json>();
    for (const id of ids) finals.set(id, await ended(survivor, id));
    const takenSync = new Set(taken.filter((j) => j.provider === "dmxapi").map((j) => j.id));
    for (const id of ids) {
      const job = finals.get(id)!;
      if (takenSync.has(id)) expect([job.status, job.error?.code], id).toEqual(["failed", "interrupted"]);
      else expect([job.status, job.outputs.length], id).toEqual(["succeeded", 1]);
    }
    for (const j of taken.filter((t) => t.provider === "therouter")) {
      const owner = await ownerOf(j.id);
      expect(owner && owner !== victim, `${j.id} finished by a survivor`).toBe(true);
    }
    expect(onePerPrompt(tr.submissions, asyncPrompts), "async prompts not submitted exactly once").toEqual([]);
    expect(onePerPrompt(dmx.submissions, syncPrompts), "sync prompts not submitted exactly once").toEqual([]);
  }, 150_000);

  it("carries on through a PostgreSQL restart mid-load, losing and repeating nothing, with /api/health naming the database while it is down", async () => {
    const tr = fleet.fakes.therouter;
    const dmx = fleet.fakes.dmxapi;
    const servers = live();
    const asyncPrompts = Array.from({ length: 6 }, (_, i) => `instances: restart, async ${i}`);
    const syncPrompts = Array.from({ length: 4 }, (_, i) => `instances: restart, sync ${i}`);
    // Sync answers that arrive while the database is down.
    for (const prompt of syncPrompts) dmx.plan(prompt, { submitDelayMs: 1000 });
    const prompts = [...asyncPrompts.map((prompt) => ["therouter", prompt]), ...syncPrompts.map((prompt) => ["dmxapi", prompt])];
    const jobs = await Promise.all(prompts.map(([provider, prompt], i) => createJob(servers[i % servers.length]!, { provider, prompt })));
    await until("jobs at both providers", () => syncPrompts.some((p) => dmx.submissions(p).length > 0) && asyncPrompts.some((p) => tr.submissions(p).length > 0), 30_000);

    let during: Answer[] = [];
    await cluster.restart(1000, async () => {
      during = await Promise.all(servers.map(health));
    });
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.body.ok).toBe(false);
      expect(r.body.database).toMatchObject({ ok: false, kind: "postgresql" });
      expect(r.body.storage).toEqual({ ok: true, kind: "s3" });
    }

    for (const job of jobs) {
      const final = await ended(servers[0]!, job.id, 90_000);
      expect([final.status, final.error?.code ?? null, final.outputs.length], `${job.provider} ${job.prompt}`).toEqual(["succeeded", null, 1]);
    }
    expect(onePerPrompt(tr.submissions, asyncPrompts), "async prompts not submitted exactly once").toEqual([]);
    expect(onePerPrompt(dmx.submissions, syncPrompts), "sync prompts not submitted exactly once").toEqual([]);
    for (const server of servers) expect((await health(server)).body).toEqual({ ok: true, database: { ok: true, kind: "postgresql" }, storage: { ok: true, kind: "s3" }, queue: { ok: true, kind: "pg-boss" } });
  }, 150_000);

  it("while S3 is unreachable: uploads answer 503 and write no row, a finishing job fails storage_failed, health names storage; Retry saving on another instance works once it is back", async () => {
    const tr = fleet.fakes.therouter;
    const [a, b] = live() as [TestServer, TestServer];
    const prompt = "instances: a job finishing while the bucket is away";
    const imageRows = async () => Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM "Image"`))[0]!.n);
    const rowsBefore = await imageRows();
    let job: Json;
    await s3.stop();
    try {
      const refused = await upload(a, await gradientPng(320, 200, 22));
      expect([refused.status, refused.body.error?.code]).toEqual([503, "storage_unavailable"]);
      expect(await imageRows()).toBe(rowsBefore);
      for (const server of live()) {
        const r = await health(server);
        expect(r.status).toBe(503);
        expect(r.body.storage).toEqual({ ok: false, kind: "s3", reason: "the storage server cannot be reached" });
        expect(r.body.database).toEqual({ ok: true, kind: "postgresql" });
      }
      job = await createJob(a, { provider: "therouter", prompt });
      const failed = await ended(b, job.id);
      expect([failed.status, failed.error?.code, failed.canRetrySave, failed.outputs]).toEqual(["failed", "storage_failed", true, []]);
    } finally {
      await s3.start();
    }

    const retried = await post(b, `/api/jobs/${job.id}/retry-save`, {});
    expect(retried.status).toBe(200);
    const saved = await ended(a, job.id);
    expect([saved.status, saved.outputs.length]).toEqual(["succeeded", 1]);
    await expectSameImageEverywhere(saved.outputs[0].url);
    // Saved from the kept link: the provider was not paid again.
    expect(tr.submissions(prompt)).toHaveLength(1);
    for (const server of live()) expect((await health(server)).status).toBe(200);
  }, 90_000);

  it("accepts a session signed in on one instance on every other, and shares the sign-in throttle between them", async () => {
    const [first, second] = live() as [TestServer, TestServer];
    const res = await signIn(first, PASSWORD);
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res)!;
    expect(cookie).toBeTruthy();
    for (const server of live()) {
      const withIt = await fetch(`${server.url}/api/jobs`, { headers: { cookie: `atelier_session=${cookie}` } });
      const without = await fetch(`${server.url}/api/jobs`);
      expect([withIt.status, without.status], server.url).toEqual([200, 401]);
    }

    for (let i = 0; i < 5; i++) {
      const wrong = await signIn(first, `guess ${i}`);
      expect(new URL(wrong.headers.get("location")!, first.url).searchParams.get("error")).toBe("wrong");
    }
    // The right password, on the other instance: the five failures on the first count there.
    const refused = await signIn(second, PASSWORD);
    expect(refused.status).toBe(303);
    const target = new URL(refused.headers.get("location")!, second.url);
    expect([target.pathname, target.searchParams.get("error")]).toEqual(["/login", "throttled"]);
    expect(sessionCookie(refused)).toBeUndefined();
    // A session made before keeps working.
    expect((await fetch(`${second.url}/api/jobs`, { headers: { cookie: `atelier_session=${cookie}` } })).status).toBe(200);
  }, 30_000);
});
