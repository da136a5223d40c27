/**
 * A crash (SIGKILL) while a real provider works on a job. Async jobs resume polling the saved
 * provider id on the next server (never a second, billable submission); a sync call that was
 * in flight cannot be resumed and must not be re-sent, so its job ends "interrupted".
 */
import sharp from "sharp";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type FleetOptions, startFleet } from "../support/provider-fleet";
import { createJob, download, getJson, type Json, jobProblems, restartServer, startServer, type TestServer, waitForJob } from "../support/server";
import { sleep, until } from "../support/wait";

const KEYS = { therouter: "tr-secret-key", quickrouter: "qr-secret-key-7f3a", dmxapi: "dmx-secret-key-91c2" };
const TERMINAL = ["succeeded", "failed", "canceled"];

let server: TestServer | undefined;
const fleets: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(async () => {
  await Promise.all(fleets.map((f) => f.close()));
});

/** Fakes of the given providers, closed after the file. */
async function fleet<O extends FleetOptions>(options: O) {
  const started = await startFleet(options);
  fleets.push(started);
  return started;
}

function env(extra: Record<string, string>): Record<string, string> {
  return { PROVIDER_REQUEST_TIMEOUT_MS: "5000", DEMO_DELAY_MS: "100", ...extra };
}

async function jobStatus(id: string): Promise<Json> {
  const { status, body } = await getJson(`${server!.url}/api/jobs/${id}`);
  expect(status).toBe(200);
  return body;
}

/** Nothing may stay "running" (or queued) once the work is done. */
async function expectNothingActive(): Promise<void> {
  for (const status of ["running", "queued"]) {
    const { body } = await getJson(`${server!.url}/api/jobs?status=${status}`);
    expect(body.items.map((j: Json) => `${j.id} ${j.status}`), status).toEqual([]);
  }
}

async function expectOneImage(job: Json, width: number, height: number): Promise<void> {
  expect(job.status, JSON.stringify(job)).toBe("succeeded");
  expect(jobProblems(job)).toEqual([]);
  expect(job.error).toBeNull();
  expect(job.outputs).toHaveLength(1);
  const { res, bytes } = await download(server!.url, job.outputs[0].url);
  expect(res.status).toBe(200);
  const meta = await sharp(bytes).metadata();
  expect([meta.width, meta.height]).toEqual([width, height]);
}

describe("kill -9 while an async provider works", () => {
  it("TheRouter: resumes the saved job id after two crashes in a row, submitting exactly once", async () => {
    const { fakes: { therouter: tr }, env: fakeEnv } = await fleet({ therouter: { key: KEYS.therouter, pollsUntilDone: 1 } });
    tr.holding = true; // in_progress until the test says otherwise
    server = await startServer({ env: env(fakeEnv) });

    const prompt = "A harbour at night, survives two crashes";
    const job = await createJob(server.url, { provider: "therouter", prompt, aspectRatio: "1:1" });
    await until("the submission", () => tr.submissions(prompt).length === 1);
    await waitForJob(server.url, job.id, ["running"], 10_000);
    const id = tr.jobIdFor(prompt)!;
    // The worker saves the provider id before its first poll, so a poll proves it is on disk.
    await until("the first poll", () => tr.polls(id).length >= 1, 10_000);

    // Crash 1, during the first poll phase.
    server.kill();
    server = await restartServer(server);
    const polledBefore = tr.polls(id).length;
    // The new server polls the saved id (the second poll phase) and keeps the job running.
    await until("a poll from the restarted server", () => tr.polls(id).length > polledBefore, 15_000);
    expect((await jobStatus(job.id)).status).toBe("running");

    // Crash 2, during the second poll phase; the provider finishes while Atelier is down.
    server.kill();
    tr.holding = false;
    server = await restartServer(server);
    const done = await waitForJob(server.url, job.id, TERMINAL, 15_000);
    await expectOneImage(done, 1024, 1024);
    expect(done.costUsd).toBe(0.018);
    expect(done.seed).toBe(job.seed);

    expect(tr.submissions(prompt)).toHaveLength(1);
    expect(tr.submissions()).toHaveLength(1);
    // Every poll, from all three processes, asked for the one saved id.
    const polls = tr.fake.calls("GET", "/v1/jobs/");
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(polls.map((r) => r.path))).toEqual(new Set([`/v1/jobs/${id}`]));
    await expectNothingActive();
  }, 120_000); // three server starts in one test: each takes seconds when the machine is busy

  it("QuickRouter: resumes the saved prediction after a crash, submitting exactly once", async () => {
    const { fakes: { quickrouter: qr }, env: fakeEnv } = await fleet({ quickrouter: { key: KEYS.quickrouter, pollsUntilDone: 1 } });
    qr.holding = true;
    server = await startServer({ env: env(fakeEnv) });

    const prompt = "A paper boat, survives a crash";
    const job = await createJob(server.url, { provider: "quickrouter", prompt, aspectRatio: "16:9", seed: 31337 });
    await until("the submission", () => qr.submissions(prompt).length === 1);
    await waitForJob(server.url, job.id, ["running"], 10_000);
    const id = qr.predictionIdFor(prompt)!;
    await until("the first poll", () => qr.polls(id).length >= 1, 10_000);

    server.kill();
    qr.holding = false; // finishes while Atelier is down
    server = await restartServer(server);
    const done = await waitForJob(server.url, job.id, TERMINAL, 15_000);
    await expectOneImage(done, 1392, 752);

    expect(qr.submissions(prompt)).toHaveLength(1);
    expect(qr.submissions()).toHaveLength(1);
    expect(qr.submissions(prompt)[0]!.json.input.seed).toBe(31337);
    const polls = qr.fake.calls("GET", "/replicate/v1/predictions/");
    expect(new Set(polls.map((r) => r.path))).toEqual(new Set([`/replicate/v1/predictions/${id}`]));
    expect(qr.cancels()).toHaveLength(0);
    await expectNothingActive();
  }, 60_000);
});

describe("kill -9 during a sync provider call", () => {
  it("DMXAPI: the job ends interrupted and the call is never re-sent", async () => {
    const { fakes: { dmxapi: dmx }, env: fakeEnv } = await fleet({ dmxapi: { key: KEYS.dmxapi } });
    const prompt = "A slow sync generation cut short";
    dmx.plan(prompt, { fault: "hang" }); // the answer would come long after the crash
    server = await startServer({ env: env({ ...fakeEnv, PROVIDER_SYNC_TIMEOUT_MS: "60000" }) });

    const job = await createJob(server.url, { provider: "dmxapi", prompt, aspectRatio: "1:1" });
    await until("the call to reach DMXAPI", () => dmx.submissions(prompt).length === 1);
    expect((await jobStatus(job.id)).status).toBe("running");

    server.kill();
    server = await restartServer(server);
    const done = await waitForJob(server.url, job.id, TERMINAL, 15_000);
    expect(done.status, JSON.stringify(done)).toBe("failed");
    expect(done.error.code).toBe("interrupted");
    expect(done.error.message).toMatch(/re-?sent|again/i);
    expect(done.error.message).not.toContain(KEYS.dmxapi);
    expect(done.outputs).toEqual([]);
    expect(jobProblems(done)).toEqual([]);

    // The restarted worker had every chance to send it again, and did not.
    await sleep(2_000);
    expect(dmx.submissions(prompt)).toHaveLength(1);
    expect(dmx.submissions()).toHaveLength(1);
    await expectNothingActive();
    expect(server.logs()).not.toContain(KEYS.dmxapi);
  }, 60_000);
});

describe("SIGTERM (graceful shutdown)", () => {
  it("lets a sync call in flight finish and store its image, and leaves an async job to resume", async () => {
    const { fakes: { dmxapi: dmx, therouter: tr }, env: fakeEnv } = await fleet({
      dmxapi: { key: KEYS.dmxapi },
      therouter: { key: KEYS.therouter, pollsUntilDone: 1 },
    });
    tr.holding = true;
    server = await startServer({ env: env(fakeEnv) });

    const asyncPrompt = "An async job that outlives a deploy";
    const asyncJob = await createJob(server.url, { provider: "therouter", prompt: asyncPrompt, aspectRatio: "1:1" });
    await until("the first TheRouter poll", () => (tr.jobIdFor(asyncPrompt) ? tr.polls(tr.jobIdFor(asyncPrompt)!).length >= 1 : false), 10_000);

    const syncPrompt = "A sync image still being drawn at SIGTERM";
    dmx.plan(syncPrompt, { submitDelayMs: 2_000 });
    const syncJob = await createJob(server.url, { provider: "dmxapi", prompt: syncPrompt, aspectRatio: "1:1" });
    await until("the call to reach DMXAPI", () => dmx.submissions(syncPrompt).length === 1);

    // SIGTERM: the sync answer arrives during the grace period. The data folder must outlive it.
    const owns = server.ownsDataDir;
    server.ownsDataDir = false;
    await server.stop();
    server.ownsDataDir = owns;
    tr.holding = false;
    server = await restartServer(server);

    // Stored by the stopping server: a crash would have left it "interrupted" instead.
    await expectOneImage(await waitForJob(server.url, syncJob.id, TERMINAL, 15_000), 1024, 1024);
    await expectOneImage(await waitForJob(server.url, asyncJob.id, TERMINAL, 15_000), 1024, 1024);
    expect(dmx.submissions(syncPrompt)).toHaveLength(1);
    expect(tr.submissions(asyncPrompt)).toHaveLength(1);
    await expectNothingActive();
  }, 60_000);
});
