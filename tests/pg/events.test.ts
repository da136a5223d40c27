/**
 * Pushed job updates across instances (issue 14): two real servers on one PostgreSQL, one that
 * only serves the studio (ATELIER_WORKER=off) and one that runs the jobs. A tab's stream on the
 * first sees a job the second's worker ran, through LISTEN/NOTIFY, also after a database restart.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openEventStream, statusesOf } from "../support/events";
import { startPostgres, type PostgresCluster } from "../support/postgres";
import { createJob, startServer, type TestServer } from "../support/server";

let cluster: PostgresCluster;
let front: TestServer;
let worker: TestServer;

beforeAll(async () => {
  cluster = await startPostgres();
  const env = { DATABASE_URL: cluster.url, DEMO_DELAY_MS: "300", WORKER_IDLE_MS: "250" };
  front = await startServer({ env: { ...env, ATELIER_WORKER: "off" } });
  worker = await startServer({ env });
}, 180_000);

afterAll(async () => {
  await front?.stop();
  await worker?.stop();
  await cluster?.stop();
});

it("a stream on one instance sees a job that another instance's worker ran, running and then succeeded", async () => {
  const stream = await openEventStream(front.url);
  await stream.next("ready", (e) => e.event === "ready");
  const job = await createJob(front.url, { prompt: "a tram in the rain" });
  const done = await stream.next("the job's success", (e) => e.event === "job" && e.data.id === job.id && e.data.status === "succeeded");
  stream.close();
  expect(statusesOf(stream, job.id).at(-1)).toBe("succeeded");
  expect(statusesOf(stream, job.id)).toContain("running");
  expect(done.data.outputs).toHaveLength(1);
});

it("keeps delivering after PostgreSQL restarts", async () => {
  const stream = await openEventStream(front.url);
  await stream.next("ready", (e) => e.event === "ready");
  await cluster.restart();
  const job = await createJob(front.url, { prompt: "a tram after the rain" });
  await stream.next("the job's success after the restart", (e) => e.event === "job" && e.data.id === job.id && e.data.status === "succeeded", 45_000);
  stream.close();
}, 90_000);
