import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientPng } from "../support/fixtures";
import {
  apiError,
  createJob,
  getJson,
  jobProblems,
  postJson,
  startServer,
  type TestServer,
  uploadOk,
  waitForJob,
} from "../support/server";

let server: TestServer;
let imageA: string;
let imageB: string;

beforeAll(async () => {
  server = await startServer();
  imageA = await uploadOk(server.url, await gradientPng(400, 300, 11));
  imageB = await uploadOk(server.url, await gradientPng(400, 300, 12));
});
afterAll(async () => {
  await server?.stop();
});

const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

describe("GET /api/providers", () => {
  it("lists the demo provider, configured, with its model's capabilities", async () => {
    const res = await fetch(`${server.url}/api/providers`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const text = await res.text();
    expect(text).not.toContain("KEY=");
    const providers = JSON.parse(text);
    expect(Array.isArray(providers)).toBe(true);

    for (const p of providers) {
      expect(p).toEqual({
        id: expect.any(String),
        label: expect.any(String),
        description: expect.any(String),
        configured: expect.any(Boolean),
        envKey: p.envKey === null ? null : expect.any(String),
        models: expect.any(Array),
      });
      for (const m of p.models) {
        expect(m).toEqual({
          id: expect.any(String),
          label: expect.any(String),
          modes: expect.any(Array),
          aspectRatios: expect.any(Array),
          seed: expect.any(Boolean),
          minN: expect.any(Number),
          maxN: expect.any(Number),
          maxInputImages: expect.any(Number),
          // null where the provider's document publishes no price
          priceUsd: m.priceUsd === null ? null : expect.any(Number),
          unverified: expect.any(Boolean),
          // how long a job usually takes: learned from finished jobs, or a typical time until there are enough
          usual: { ms: expect.any(Number), from: expect.stringMatching(/^(history|catalog)$/) },
        });
      }
    }

    const demo = providers.find((p: { id: string }) => p.id === "demo");
    expect(demo).toBeDefined();
    expect(demo.configured).toBe(true);
    expect(demo.envKey).toBeNull();
    expect(demo.models).toHaveLength(1);
    expect(demo.models[0]).toMatchObject({
      id: "demo",
      modes: ["generate", "edit"],
      seed: true,
      minN: 1,
      maxN: 4,
      maxInputImages: 1,
      priceUsd: 0,
      unverified: false,
    });
    expect(demo.models[0].aspectRatios).toEqual(
      expect.arrayContaining(["match_input", "1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"]),
    );
  });
});

describe("POST /api/jobs", () => {
  it("creates a generate job (201) with the documented shape", async () => {
    const { status, body } = await postJson(`${server.url}/api/jobs`, {
      provider: "demo",
      prompt: "  a lighthouse at dusk  ",
      aspectRatio: "1:1",
      seed: 42,
    });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(jobProblems(body)).toEqual([]);
    expect(body).toMatchObject({
      provider: "demo",
      model: "demo",
      mode: "generate",
      aspectRatio: "1:1",
      seed: 42,
      n: 1,
      error: null,
      inputs: [],
      outputs: [],
      finishedAt: null,
    });
    expect(body.prompt.trim()).toBe("a lighthouse at dusk");
    expect(["queued", "running"]).toContain(body.status);
  });

  it("creates an edit job when input images are given", async () => {
    const job = await createJob(server.url, { prompt: "make it blue", inputImageIds: [imageA], model: "demo" });
    expect(jobProblems(job)).toEqual([]);
    expect(job.mode).toBe("edit");
    expect(job.inputs).toEqual([
      { imageId: imageA, url: `/api/images/${imageA}`, thumbUrl: `/api/images/${imageA}?variant=thumb`, width: 400, height: 300 },
    ]);
  });

  it("picks an integer seed when none is given, and keeps a given one (0 included)", async () => {
    const chosen = await createJob(server.url, { prompt: "no seed given" });
    expect(Number.isInteger(chosen.seed)).toBe(true);
    expect(chosen.seed).toBeGreaterThanOrEqual(0);
    expect(chosen.seed).toBeLessThanOrEqual(2_147_483_647);
    const again = (await getJson(`${server.url}/api/jobs/${chosen.id}`)).body;
    expect(again.seed).toBe(chosen.seed);

    expect((await createJob(server.url, { prompt: "seed zero", seed: 0 })).seed).toBe(0);
    expect((await createJob(server.url, { prompt: "seed max", seed: 2_147_483_647 })).seed).toBe(2_147_483_647);
  });

  it("keeps n", async () => {
    const job = await createJob(server.url, { prompt: "four of them", n: 4, aspectRatio: "1:1" });
    expect(job.n).toBe(4);
  });

  it.each([
    ["a bad aspect ratio", { provider: "demo", prompt: "x", aspectRatio: "7:5" }],
    ["a non-ratio aspect ratio", { provider: "demo", prompt: "x", aspectRatio: "square" }],
    ["a negative seed", { provider: "demo", prompt: "x", seed: -1 }],
    ["a fractional seed", { provider: "demo", prompt: "x", seed: 1.5 }],
    ["a string seed", { provider: "demo", prompt: "x", seed: "42" }],
    ["an empty prompt", { provider: "demo", prompt: "" }],
    ["a blank prompt", { provider: "demo", prompt: "   \n " }],
    ["no prompt", { provider: "demo" }],
    ["an unknown provider", { provider: "nope", prompt: "x" }],
    ["no provider", { prompt: "x" }],
    ["n = 0", { provider: "demo", prompt: "x", n: 0 }],
    ["a fractional n", { provider: "demo", prompt: "x", n: 1.5 }],
    ["a malformed input image id", { provider: "demo", prompt: "x", inputImageIds: ["not-an-id"] }],
    ["a JSON array body", [1, 2]],
  ])("refuses %s with 400 invalid_request", async (_label, body) => {
    const r = await postJson(`${server.url}/api/jobs`, body);
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_request", message: true });
  });

  it("refuses malformed JSON with 400 invalid_request", async () => {
    const r = await postJson(`${server.url}/api/jobs`, '{"provider": "demo", "prompt": ');
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_request", message: true });
  });

  it("answers 404 image_not_found for an input image that does not exist", async () => {
    const r = await postJson(`${server.url}/api/jobs`, { provider: "demo", prompt: "x", inputImageIds: [UNKNOWN_ID] });
    expect(apiError(r)).toEqual({ status: 404, code: "image_not_found", message: true });
  });

  it("answers 400 unsupported for n above the model's maxN", async () => {
    const r = await postJson(`${server.url}/api/jobs`, { provider: "demo", prompt: "x", n: 5 });
    expect(apiError(r)).toEqual({ status: 400, code: "unsupported", message: true });
  });

  it("answers 400 unsupported for more input images than the model takes", async () => {
    const r = await postJson(`${server.url}/api/jobs`, { provider: "demo", prompt: "x", inputImageIds: [imageA, imageB] });
    expect(apiError(r)).toEqual({ status: 400, code: "unsupported", message: true });
  });

  it("answers 400 unsupported for a known ratio the model does not offer", async () => {
    const r = await postJson(`${server.url}/api/jobs`, { provider: "demo", prompt: "x", aspectRatio: "4:5" });
    expect(apiError(r)).toEqual({ status: 400, code: "unsupported", message: true });
  });

  it("answers 400 for a model the provider does not have", async () => {
    const r = await postJson(`${server.url}/api/jobs`, { provider: "demo", model: "flux-ultra-nope", prompt: "x" });
    expect(r.status).toBe(400);
    expect(["invalid_request", "unsupported"]).toContain(r.body?.error?.code);
  });
});

describe("GET /api/jobs/:id", () => {
  it("returns the job, which runs to succeeded", async () => {
    const created = await createJob(server.url, { prompt: "fetch me", aspectRatio: "1:1", seed: 7 });
    const { status, body } = await getJson(`${server.url}/api/jobs/${created.id}`);
    expect(status).toBe(200);
    expect(jobProblems(body)).toEqual([]);
    expect(body.id).toBe(created.id);
    expect(body.prompt).toBe(created.prompt);
    expect(body.createdAt).toBe(created.createdAt);

    const done = await waitForJob(server.url, created.id, ["succeeded", "failed", "canceled"]);
    expect(done.status).toBe("succeeded");
    expect(done.outputs).toHaveLength(1);
    expect(jobProblems(done)).toEqual([]);
  });

  it("answers 404 not_found for an unknown job", async () => {
    const r = await getJson(`${server.url}/api/jobs/${UNKNOWN_ID}`);
    expect(apiError(r)).toEqual({ status: 404, code: "not_found", message: true });
  });
});
