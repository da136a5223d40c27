import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventStream, statusesOf } from "../support/events";
import { startFleet, type Fleet } from "../support/provider-fleet";
import type { TheRouterFake } from "../support/provider-fakes";
import { createJob, ROOT, startServer, type TestServer, waitForJob } from "../support/server";

/**
 * GET /api/events: what an open tab is told about jobs, from queued to done, also across a
 * dropped connection, and never without a session when a password is set.
 */

const KEY = "tr-events-secret-key";
const MODEL = "black-forest-labs/flux-kontext-dev";
let fleet: Fleet<{ therouter: { key: string; pollsUntilDone: number } }>;
let tr: TheRouterFake;
let server: TestServer;

beforeAll(async () => {
  fleet = await startFleet({ therouter: { key: KEY, pollsUntilDone: 1 } });
  tr = fleet.fakes.therouter;
  // One demo job at a time, so a second one is seen waiting in the queue first.
  server = await startServer({ env: { ...fleet.env, DEMO_DELAY_MS: "800", DEMO_CONCURRENCY: "1" } });
});
afterAll(async () => {
  await server?.stop();
  await fleet?.close();
});

describe("GET /api/events", () => {
  it("shows a submitted job queued, then running, then succeeded with its outputs", async () => {
    const stream = await openEventStream(server.url);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain("text/event-stream");
    await stream.next("ready", (e) => e.event === "ready");

    const first = await createJob(server.url, { prompt: "a lighthouse at dusk" });
    const second = await createJob(server.url, { prompt: "a lighthouse at dawn" });
    const done = await stream.next("the second job's success", (e) => e.event === "job" && e.data.id === second.id && e.data.status === "succeeded");
    stream.close();

    expect(statusesOf(stream, second.id)).toEqual(["queued", "running", "succeeded"]);
    expect(statusesOf(stream, first.id).at(-1)).toBe("succeeded");
    expect(done.data.outputs).toHaveLength(1);
    expect(done.data.outputs[0]).toMatchObject({ url: expect.stringMatching(/^\/api\/images\//), width: expect.any(Number) });
    const image = await fetch(`${server.url}${done.data.outputs[0].url}`);
    expect(image.status).toBe(200);
  });

  it("shows a job the provider fails as failed, with the reason, and no key anywhere in the stream", async () => {
    tr.plan("a melting clock", { fault: "failed" });
    const stream = await openEventStream(server.url);
    await stream.next("ready", (e) => e.event === "ready");
    const job = await createJob(server.url, { provider: "therouter", model: MODEL, prompt: "a melting clock" });
    const failed = await stream.next("the failure", (e) => e.event === "job" && e.data.id === job.id && e.data.status === "failed");
    stream.close();

    expect(failed.data.error.message).toEqual(expect.any(String));
    expect(failed.data.error.message.length).toBeGreaterThan(10);
    expect(stream.text()).not.toContain(KEY);
  });

  it("after a dropped connection, resuming with Last-Event-ID brings the finish that happened meanwhile", async () => {
    tr.holding = true;
    const before = await openEventStream(server.url);
    await before.next("ready", (e) => e.event === "ready");
    const job = await createJob(server.url, { provider: "therouter", model: MODEL, prompt: "a paper boat" });
    await before.next("the job running", (e) => e.event === "job" && e.data.id === job.id && e.data.status === "running");
    const lastId = before.lastId();
    before.close();

    // The job finishes while no stream is open.
    tr.holding = false;
    await waitForJob(server.url, job.id, ["succeeded"]);

    const after = await openEventStream(server.url, { "last-event-id": lastId! });
    const done = await after.next("the finish, on resuming", (e) => e.event === "job" && e.data.id === job.id && e.data.status === "succeeded");
    after.close();
    expect(done.data.outputs).toHaveLength(1);
  });
});

describe("GET /api/events with the jobs run by a separate worker process", () => {
  let web: TestServer;
  let worker: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    web = await startServer({ env: { ATELIER_WORKER: "off", DEMO_DELAY_MS: "300" } });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once("exit", resolve));
      worker.kill("SIGTERM");
      await exited;
    }
    await web?.stop();
  });

  it("shows a job that `npm run worker` ran on the same data, succeeded", async () => {
    const stream = await openEventStream(web.url);
    await stream.next("ready", (e) => e.event === "ready");
    const job = await createJob(web.url, { prompt: "a bell tower in fog" });
    worker = spawn(process.execPath, ["scripts/worker.mjs"], {
      cwd: ROOT,
      env: { ...process.env, ...web.env, DATA_DIR: web.dataDir, ATELIER_WORKER: "on", WORKER_IDLE_MS: "250" },
      stdio: "ignore",
    });
    const done = await stream.next("the job's success", (e) => e.event === "job" && e.data.id === job.id && e.data.status === "succeeded", 100_000);
    stream.close();
    expect(done.data.outputs).toHaveLength(1);
  }, 120_000);
});

describe("GET /api/events with ATELIER_PASSWORD", () => {
  let locked: TestServer;
  beforeAll(async () => {
    locked = await startServer({ env: { ATELIER_PASSWORD: "events-pass-42" }, readyPath: "/login" });
  });
  afterAll(async () => {
    await locked?.stop();
  });

  it("answers 401 without a session, and streams with one", async () => {
    const refused = await openEventStream(locked.url);
    expect(refused.status).toBe(401);
    expect(refused.contentType).not.toContain("text/event-stream");
    expect(refused.events).toEqual([]);

    const login = await fetch(`${locked.url}/api/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ password: "events-pass-42" }).toString(),
    });
    const cookie = /atelier_session=[^;]+/.exec(login.headers.get("set-cookie") ?? "")?.[0];
    expect(cookie).toBeDefined();
    const stream = await openEventStream(locked.url, { cookie: cookie! });
    expect(stream.status).toBe(200);
    await stream.next("ready", (e) => e.event === "ready");
    stream.close();
  });
});
