/**
 * Repeated crashes (issue 5): for every provider kind, three times in a row on one data
 * folder, a job is cut off by kill -9 while its provider works on it, and the server is
 * started again on the same folder. Async jobs resume polling their saved provider id (one
 * submission, never two); a sync call in flight cannot be resumed and is never re-sent, so
 * its job ends "interrupted"; demo jobs simply run again. Once more with SIGTERM during a
 * sync call: the graceful shutdown stores the answer. At the end nothing is left queued or
 * running, and the data folder holds no file or output image that nothing refers to.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DmxapiFake, ModelverseFake, QuickRouterFake, TheRouterFake } from "../support/provider-fakes";
import { type Fleet, startFleet } from "../support/provider-fleet";
import { createJob, getJson, type Json, jobProblems, restartServer, startServer, type TestServer, waitForJob } from "../support/server";
import { sleep, until } from "../support/wait";
import { orphanReport, withDb } from "./support/measure";

const KEYS = { therouter: "tr-restart-key", quickrouter: "qr-restart-key", dmxapi: "dmx-restart-key", modelverse: "mv-restart-key" };
const TERMINAL = ["succeeded", "failed", "canceled"];
const ROUNDS = 3;
const DEMO_DELAY_MS = 1500;

let tr: TheRouterFake;
let qr: QuickRouterFake;
let dmx: DmxapiFake;
let mv: ModelverseFake;
let fleet: Fleet | undefined;
let server: TestServer | undefined;
let dataDir: string | undefined;
/** Every job this file created, with what it must end as. */
const created: { id: string; kind: string; expect: "succeeded" | "interrupted" }[] = [];

beforeAll(async () => {
  const started = await startFleet({
    therouter: { key: KEYS.therouter, pollsUntilDone: 1 },
    quickrouter: { key: KEYS.quickrouter, pollsUntilDone: 1 },
    dmxapi: { key: KEYS.dmxapi },
    modelverse: { key: KEYS.modelverse },
  });
  fleet = started;
  ({ therouter: tr, quickrouter: qr, dmxapi: dmx, modelverse: mv } = started.fakes);
  server = await startServer({
    env: {
      ...started.env,
      PROVIDER_REQUEST_TIMEOUT_MS: "10000",
      PROVIDER_SYNC_TIMEOUT_MS: "60000",
      DEMO_DELAY_MS: String(DEMO_DELAY_MS),
    },
  });
  // The folder outlives every server of this file; afterAll removes it.
  dataDir = server.dataDir;
  server.ownsDataDir = false;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await fleet?.close();
  if (dataDir && !process.env.ATELIER_KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** kill -9, then a new server on the same folder and settings. */
async function crashAndRestart(): Promise<void> {
  server!.kill();
  server = await restartServer(server!);
}

async function jobNow(id: string): Promise<Json> {
  const { status, body } = await getJson(`${server!.url}/api/jobs/${id}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

/** The provider id the server saved for a job (read straight from the database), or null. */
function savedProviderId(jobId: string): string | null {
  return withDb(dataDir!, (db) => (db.prepare(`SELECT "providerJobId" FROM "Job" WHERE id = ?`).get(jobId) as { providerJobId: string | null } | undefined)?.providerJobId ?? null);
}

function expectOneOutput(job: Json): void {
  expect(job.status, JSON.stringify(job)).toBe("succeeded");
  expect(job.error).toBeNull();
  expect(job.outputs).toHaveLength(1);
  expect(jobProblems(job)).toEqual([]);
}

type AsyncFake = TheRouterFake | QuickRouterFake;

/**
 * One async round: the provider holds the job in progress, the server is killed once the
 * provider id is saved (round 2: also after a first poll), the new server must poll that
 * same id, and the job ends succeeded from the one submission.
 */
async function asyncRound(kind: "therouter" | "quickrouter", fake: AsyncFake, round: number): Promise<void> {
  const prompt = `Restart loop ${kind} round ${round}: a lighthouse in fog`;
  const idFor = (p: string) => (kind === "therouter" ? (fake as TheRouterFake).jobIdFor(p) : (fake as QuickRouterFake).predictionIdFor(p));
  fake.holding = true;
  try {
    const job = await createJob(server!.url, { provider: kind, prompt, aspectRatio: "1:1" });
    created.push({ id: job.id, kind, expect: "succeeded" });
    await until(`${kind} to receive round ${round}`, () => fake.submissions(prompt).length === 1, 15_000);
    const providerId = idFor(prompt)!;
    expect(providerId).toBeTruthy();
    // Only a saved id can be resumed; a crash before it is saved ends "interrupted" by design.
    await until(`the ${kind} id to be saved`, () => savedProviderId(job.id) === providerId, 15_000);
    if (round === 2) await until(`a first ${kind} poll`, () => fake.polls(providerId).length >= 1, 15_000);

    const pollsBefore = fake.polls(providerId).length;
    await crashAndRestart();
    if (round === 2) {
      // Still held: the new server keeps the job running and polls the saved id.
      await until(`a poll from the restarted server`, () => fake.polls(providerId).length > pollsBefore, 15_000);
      expect((await jobNow(job.id)).status).toBe("running");
    }
    fake.holding = false;
    const done = await waitForJob(server!.url, job.id, TERMINAL, 30_000);
    expectOneOutput(done);
    expect(fake.submissions(prompt), `${kind} round ${round}: submissions`).toHaveLength(1);
    expect(fake.polls(providerId).length).toBeGreaterThan(pollsBefore);
  } finally {
    fake.holding = false;
  }
}

/** One sync round: the call hangs at the provider, kill -9, the job ends interrupted, nothing re-sent. */
async function syncRound(kind: "dmxapi" | "modelverse", fake: DmxapiFake | ModelverseFake, round: number): Promise<void> {
  const prompt = `Restart loop ${kind} round ${round}: a kite over dunes`;
  fake.plan(prompt, { fault: "hang" }); // the answer would come long after the crash
  const job = await createJob(server!.url, { provider: kind, prompt, aspectRatio: "1:1" });
  created.push({ id: job.id, kind, expect: "interrupted" });
  await until(`${kind} to receive round ${round}`, () => fake.submissions(prompt).length === 1, 15_000);
  expect((await jobNow(job.id)).status).toBe("running");

  await crashAndRestart();
  const done = await waitForJob(server!.url, job.id, TERMINAL, 15_000);
  expect(done.status, JSON.stringify(done)).toBe("failed");
  expect(done.error?.code).toBe("interrupted");
  expect(done.outputs).toEqual([]);
  expect(jobProblems(done)).toEqual([]);
}

describe("kill -9 mid-job, three times per provider kind, one data folder", () => {
  it("demo: the job is re-run and succeeds every time", async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const job = await createJob(server!.url, { provider: "demo", prompt: `Restart loop demo round ${round}: a tide pool`, aspectRatio: "1:1" });
      created.push({ id: job.id, kind: "demo", expect: "succeeded" });
      await waitForJob(server!.url, job.id, ["running"], 15_000);
      await crashAndRestart();
      expectOneOutput(await waitForJob(server!.url, job.id, TERMINAL, 30_000));
    }
  }, 180_000);

  it("TheRouter (async): polling resumes with the saved id; one submission per job", async () => {
    for (let round = 1; round <= ROUNDS; round++) await asyncRound("therouter", tr, round);
    expect(tr.submissions()).toHaveLength(ROUNDS);
    // Every poll, from every server, asked for one of the saved ids.
    const ids = new Set(Array.from({ length: ROUNDS }, (_, i) => `/v1/jobs/${tr.jobIdFor(`Restart loop therouter round ${i + 1}: a lighthouse in fog`)}`));
    expect(tr.polls().filter((r) => !ids.has(r.path))).toEqual([]);
  }, 180_000);

  it("QuickRouter (async): polling resumes with the saved id; one submission per job", async () => {
    for (let round = 1; round <= ROUNDS; round++) await asyncRound("quickrouter", qr, round);
    expect(qr.submissions()).toHaveLength(ROUNDS);
    expect(qr.cancels()).toHaveLength(0);
  }, 180_000);

  it("DMXAPI (sync): the job ends interrupted and the call is never re-sent", async () => {
    for (let round = 1; round <= ROUNDS; round++) await syncRound("dmxapi", dmx, round);
    await sleep(2_000); // the last restarted worker had every chance to send something again
    expect(dmx.submissions()).toHaveLength(ROUNDS);
    for (let round = 1; round <= ROUNDS; round++) expect(dmx.submissions(`Restart loop dmxapi round ${round}: a kite over dunes`)).toHaveLength(1);
  }, 180_000);

  it("Modelverse (sync): the job ends interrupted and the call is never re-sent", async () => {
    for (let round = 1; round <= ROUNDS; round++) await syncRound("modelverse", mv, round);
    await sleep(2_000);
    expect(mv.submissions()).toHaveLength(ROUNDS);
    for (let round = 1; round <= ROUNDS; round++) expect(mv.submissions(`Restart loop modelverse round ${round}: a kite over dunes`)).toHaveLength(1);
  }, 180_000);
});

describe("SIGTERM during a sync call", () => {
  it("the graceful shutdown stores the answer; the restarted server shows it succeeded", async () => {
    const prompt = "Restart loop SIGTERM: a sync answer that arrives during shutdown";
    dmx.plan(prompt, { submitDelayMs: 2_000 });
    const job = await createJob(server!.url, { provider: "dmxapi", prompt, aspectRatio: "1:1" });
    created.push({ id: job.id, kind: "dmxapi (SIGTERM)", expect: "succeeded" });
    await until("DMXAPI to receive the call", () => dmx.submissions(prompt).length === 1, 15_000);
    expect((await jobNow(job.id)).status).toBe("running");

    await server!.stop(); // SIGTERM; waits for the exit (ownsDataDir is false: the folder stays)
    // Stored by the stopping server itself, before the restart.
    const stored = withDb(dataDir!, (db) => ({
      status: (db.prepare(`SELECT status FROM "Job" WHERE id = ?`).get(job.id) as { status: string }).status,
      outputs: (db.prepare(`SELECT COUNT(*) AS n FROM "JobOutput" WHERE "jobId" = ?`).get(job.id) as { n: number }).n,
    }));
    expect(stored).toEqual({ status: "succeeded", outputs: 1 });

    server = await restartServer(server!);
    expectOneOutput(await waitForJob(server.url, job.id, TERMINAL, 15_000));
    expect(dmx.submissions(prompt)).toHaveLength(1);
  }, 120_000);
});

describe("after all the crashes", () => {
  it("every job ended as it should, nothing is queued or running, and no file or image is orphaned", async () => {
    expect(created.length).toBe(5 * ROUNDS + 1);
    for (const { id, kind, expect: outcome } of created) {
      const job = await jobNow(id);
      if (outcome === "succeeded") expect(`${kind} ${job.status}`).toBe(`${kind} succeeded`);
      else expect(`${kind} ${job.status} ${job.error?.code}`).toBe(`${kind} failed interrupted`);
    }
    for (const status of ["queued", "running"]) {
      const { body } = await getJson(`${server!.url}/api/jobs?status=${status}`);
      expect(body.items.map((j: Json) => `${j.provider} ${j.id}`), status).toEqual([]);
    }

    await server!.stop();
    const active = withDb(dataDir!, (db) => db.prepare(`SELECT id, provider, status FROM "Job" WHERE status IN ('queued', 'running')`).all());
    expect(active).toEqual([]);
    const report = orphanReport(dataDir!);
    expect(report.strayFiles, "files under images/ that no Image row names").toEqual([]);
    expect(report.missingFiles, "Image rows whose file is missing").toEqual([]);
    expect(report.unusedOutputs, "output images no job output refers to").toEqual([]);
    // Something was stored at all (the check above is not vacuous).
    const outputs = withDb(dataDir!, (db) => (db.prepare(`SELECT COUNT(*) AS n FROM "JobOutput"`).get() as { n: number }).n);
    expect(outputs).toBe(created.filter((c) => c.expect === "succeeded").length);
  }, 60_000);
});
