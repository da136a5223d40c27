/** The demo engine end to end through the API: lifecycle, output sizes, determinism. */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientPng, sha256 } from "../support/fixtures";
import { createJob, download, getJson, jobProblems, startServer, type TestServer, uploadOk, waitForJob } from "../support/server";

let server: TestServer;
let wide: string; // 1600×900

beforeAll(async () => {
  server = await startServer({ env: { DEMO_DELAY_MS: "300" } });
  wide = await uploadOk(server.url, await gradientPng(1600, 900, 21), "wide.png");
});
afterAll(async () => {
  await server?.stop();
});

async function run(body: Record<string, unknown>) {
  const job = await createJob(server.url, body);
  const done = await waitForJob(server.url, job.id);
  expect(done.status, JSON.stringify(done)).toBe("succeeded");
  expect(jobProblems(done)).toEqual([]);
  return done;
}

async function outputSize(ref: { url: string }) {
  const { res, bytes } = await download(server.url, ref.url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^image\/(png|jpeg|webp)/);
  const meta = await sharp(bytes).metadata();
  return { width: meta.width, height: meta.height, sha: sha256(bytes) };
}

describe("demo jobs", () => {
  it("go queued → running → succeeded with timestamps in order", async () => {
    const job = await createJob(server.url, { prompt: "watch me run", aspectRatio: "1:1" });
    const order = ["queued", "running", "succeeded"];
    const seen: string[] = [job.status];
    let current = job;
    const deadline = Date.now() + 20_000;
    while (current.status !== "succeeded" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      current = (await getJson(`${server.url}/api/jobs/${job.id}`)).body;
      if (seen.at(-1) !== current.status) seen.push(current.status);
    }
    expect(seen.every((s) => order.includes(s)), seen.join(" → ")).toBe(true);
    const indexes = seen.map((s) => order.indexOf(s));
    expect(indexes, seen.join(" → ")).toEqual([...indexes].sort((a, b) => a - b));
    expect(current.status).toBe("succeeded");
    expect(current.error).toBeNull();
    expect(current.startedAt).not.toBeNull();
    expect(current.finishedAt).not.toBeNull();
    const t = (s: string) => Date.parse(s);
    expect(t(current.startedAt)).toBeGreaterThanOrEqual(t(current.createdAt));
    expect(t(current.finishedAt)).toBeGreaterThanOrEqual(t(current.startedAt));
    expect(current.costUsd === null || current.costUsd === 0).toBe(true);
  });

  it("edit with match_input on a 1600×900 input gives 1392×752 (Kontext 16:9)", async () => {
    const done = await run({ prompt: "make it warmer", inputImageIds: [wide], aspectRatio: "match_input", seed: 5 });
    expect(done.mode).toBe("edit");
    expect(done.aspectRatio).toBe("match_input");
    expect(done.inputs).toHaveLength(1);
    expect(done.inputs[0]).toMatchObject({ imageId: wide, width: 1600, height: 900 });
    expect(done.outputs).toHaveLength(1);
    expect(done.outputs[0]).toMatchObject({ width: 1392, height: 752 });
    expect(await outputSize(done.outputs[0])).toMatchObject({ width: 1392, height: 752 });
  });

  it.each([
    ["1:1", 1024, 1024],
    ["9:16", 752, 1392],
    ["16:9", 1392, 752],
  ] as const)("generate with %s gives %i×%i", async (aspectRatio, width, height) => {
    const done = await run({ prompt: "a pattern", aspectRatio, seed: 9 });
    expect(done.mode).toBe("generate");
    expect(done.inputs).toEqual([]);
    expect(done.outputs).toHaveLength(1);
    expect(done.outputs[0]).toMatchObject({ width, height });
    expect(await outputSize(done.outputs[0])).toMatchObject({ width, height });
  });

  it("edit with an explicit ratio ignores the input's shape", async () => {
    const done = await run({ prompt: "square it", inputImageIds: [wide], aspectRatio: "1:1", seed: 5 });
    expect(done.mode).toBe("edit");
    expect(await outputSize(done.outputs[0])).toMatchObject({ width: 1024, height: 1024 });
  });

  it("gives n outputs", async () => {
    const done = await run({ prompt: "three variations", aspectRatio: "1:1", n: 3, seed: 1 });
    expect(done.n).toBe(3);
    expect(done.outputs).toHaveLength(3);
    for (const out of done.outputs) expect(await outputSize(out)).toMatchObject({ width: 1024, height: 1024 });
  });

  it("is deterministic: the same recipe twice gives the same bytes and image", async () => {
    const recipe = { prompt: "same recipe", inputImageIds: [wide], aspectRatio: "match_input", seed: 1234 };
    const a = await run(recipe);
    const b = await run(recipe);
    expect(b.id).not.toBe(a.id);
    const [sa, sb] = [await outputSize(a.outputs[0]), await outputSize(b.outputs[0])];
    expect(sb.sha).toBe(sa.sha);
    expect(b.outputs[0].imageId).toBe(a.outputs[0].imageId); // images are deduplicated by sha256

    const gen = { prompt: "same generate recipe", aspectRatio: "9:16", seed: 77 };
    const c = await run(gen);
    const d = await run(gen);
    expect((await outputSize(d.outputs[0])).sha).toBe((await outputSize(c.outputs[0])).sha);
  });

  it("serves WebP thumbnails of outputs", async () => {
    const done = await run({ prompt: "thumb me", aspectRatio: "9:16", seed: 3 });
    const { res, bytes } = await download(server.url, done.outputs[0].thumbUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("image/webp");
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("webp");
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(512);
  });
});
