/** A crash (SIGKILL) while a job runs: the next server on the same DATA_DIR finishes it. */
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { createJob, download, getJson, jobProblems, restartServer, startServer, type TestServer, waitForJob } from "../support/server";

let server: TestServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe("restart", () => {
  it("finishes a job that was running when the server was killed", async () => {
    server = await startServer({ env: { DEMO_DELAY_MS: "4000" } });
    const job = await createJob(server.url, { prompt: "survive a crash", aspectRatio: "1:1", seed: 99 });
    const queued = await createJob(server.url, { prompt: "queued behind it", aspectRatio: "9:16", seed: 100 });
    const running = await waitForJob(server.url, job.id, ["running"], 15_000);
    expect(running.status).toBe("running");

    const dataDir = server.dataDir;
    server.kill();
    server = await restartServer(server);
    expect(server.dataDir).toBe(dataDir);

    // Visible at once after the restart, and not stuck in "running".
    const seen = await getJson(`${server.url}/api/jobs/${job.id}`);
    expect(seen.status).toBe(200);
    const done = await waitForJob(server.url, job.id, ["succeeded", "failed", "canceled"], 45_000);
    expect(done.status, JSON.stringify(done)).toBe("succeeded");
    expect(jobProblems(done)).toEqual([]);
    expect(done.error).toBeNull();
    expect(done.outputs).toHaveLength(1);
    const { res, bytes } = await download(server.url, done.outputs[0].url);
    expect(res.status).toBe(200);
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1024]);

    const other = await waitForJob(server.url, queued.id, ["succeeded", "failed", "canceled"], 45_000);
    expect(other.status).toBe("succeeded");
    expect(other.outputs).toHaveLength(1);
  }, 120_000);
});
