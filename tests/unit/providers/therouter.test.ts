import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createTheRouterAdapter } from "@/lib/providers/therouter";
import type { ProviderError } from "@/lib/providers/types";
import type { FakeReply } from "../../support/fake-provider";
import { gradientPng } from "../../support/fixtures";
import { useFreshDataDir } from "../../support/test-db";
import { providerContract } from "./contract";
import { ctx, failure, KEY, requestWith, scriptedFake } from "./helpers";
import { OPEN_ACTOR } from "@/lib/actor";

/**
 * The TheRouter adapter against a local fake of document 000: the provider contract, then the
 * exact requests Atelier sends and how this protocol's own answers and failure shapes are mapped.
 */

const MODEL = "black-forest-labs/flux-kontext-dev";

// For the worker test at the bottom: a fresh data folder, and the key the job API checks for.
useFreshDataDir();
process.env.THEROUTER_API_KEY = KEY;

const fake = scriptedFake({ status: 500, json: { error: { message: "no reply scripted" } } });

const adapter = () => createTheRouterAdapter(() => ({ apiKey: KEY, baseUrl: fake.url }));

const request = requestWith({
  model: MODEL,
  prompt: "A cinematic product render with soft studio lighting",
  aspectRatio: "16:9",
  resolvedRatio: "16:9",
  seed: 1234,
});

const queued = { id: "img_01abc", status: "queued", polling_url: "https://api.therouter.ai/v1/jobs/img_01abc" };
const jobAnswer = (job: Record<string, unknown>): FakeReply => ({ status: 200, json: { id: "img_01abc", ...job } });

providerContract({
  id: "therouter",
  create: createTheRouterAdapter,
  request,
  submitPath: "/v1/images/generations",
  accepted: { status: 202, json: queued },
  errorBody: (message) => ({ error: { message } }),
  timeout: "requestMs",
  async: {
    pollPath: (id) => `/v1/jobs/${id}`,
    pending: jobAnswer({ status: "queued" }),
    failed: (reason) => jobAnswer({ status: "failed", ...(reason === undefined ? {} : { error: { message: reason } }) }),
  },
});

describe("TheRouter submit", () => {
  it("sends a generation as JSON to the async endpoint and returns the job id to poll", async () => {
    fake.reply = () => ({ status: 202, json: queued });
    const result = await adapter().submit(request(), ctx());
    expect(result).toEqual({ status: "pending", providerJobId: "img_01abc", pollAfterMs: 3000 });

    const sent = fake.requests[0]!;
    expect([...sent.query]).toEqual([["async", "true"]]);
    expect(sent.json).toEqual({ model: MODEL, prompt: request().prompt, size: "1392x752", seed: 1234 });
  });

  it.each([
    ["1:1", "1024x1024"],
    ["9:16", "752x1392"],
    ["4:3", "1184x880"],
    ["21:9", "1568x672"],
  ] as const)("spells the %s size as %s", async (ratio, size) => {
    fake.reply = () => ({ status: 202, json: queued });
    await adapter().submit(request({ aspectRatio: ratio, resolvedRatio: ratio }), ctx());
    expect(fake.requests[0]!.json.size).toBe(size);
  });

  it("accepts a 200 as well as a 202", async () => {
    fake.reply = () => ({ status: 200, json: { id: "img_2", status: "queued" } });
    expect(await adapter().submit(request(), ctx())).toMatchObject({ status: "pending", providerJobId: "img_2" });
  });

  it("keeps the id of a job answered with an unexpected non-terminal status, and fails a terminal one", async () => {
    fake.reply = () => ({ status: 202, json: { id: "img_3", status: "accepted" } });
    expect(await adapter().submit(request(), ctx())).toMatchObject({ status: "pending", providerJobId: "img_3" });
    fake.reply = () => ({ status: 200, json: { id: "img_4", status: "succeeded", unsigned_urls: ["https://cdn.example/b.png"] } });
    expect(await adapter().submit(request(), ctx())).toEqual({ status: "done", images: [{ url: "https://cdn.example/b.png" }] });
    fake.reply = () => ({ status: 200, json: { id: "img_5", status: "failed", error: "NSFW content detected" } });
    expect((await failure(adapter().submit(request(), ctx()))).code).toBe("moderated");
  });

  it.each([
    ["an opaque photo", false, "image/jpeg", "input.jpg"],
    ["a picture with transparency", true, "image/png", "input.png"],
  ])("sends an edit of %s as multipart with a re-encoded image file", async (_label, alpha, mime, filename) => {
    fake.reply = () => ({ status: 202, json: queued });
    const bytes = alpha
      ? await sharp({ create: { width: 320, height: 200, channels: 4, background: { r: 10, g: 200, b: 90, alpha: 0.5 } } }).png().toBuffer()
      : await gradientPng(320, 200);
    const req = request({
      mode: "edit",
      prompt: "Turn this scene into a watercolor painting",
      aspectRatio: "match_input",
      resolvedRatio: "3:2",
      inputs: [{ bytes, mime: "image/png", width: 320, height: 200 }],
    });
    expect(await adapter().submit(req, ctx())).toEqual({ status: "pending", providerJobId: "img_01abc", pollAfterMs: 3000 });

    const sent = fake.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/images/edits");
    expect([...sent.query]).toEqual([["async", "true"]]);
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.headers["content-type"]).toContain("multipart/form-data");
    const form = sent.form!;
    expect(form.get("model")).toBe(MODEL);
    expect(form.get("prompt")).toBe("Turn this scene into a watercolor painting");
    expect(form.get("size")).toBe("1248x832");
    expect(form.get("seed")).toBe("1234");
    const file = form.get("image") as File;
    expect(file).toBeInstanceOf(Blob);
    expect(file.name).toBe(filename);
    expect(file.type).toBe(mime);
    const uploaded = Buffer.from(await file.arrayBuffer());
    expect(uploaded.length).toBeGreaterThan(0);
    const meta = await sharp(uploaded).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual([mime === "image/png" ? "png" : "jpeg", 320, 200]);
  });

});

describe("TheRouter errors", () => {
  it.each<[string, FakeReply, Partial<ProviderError>, string?]>([
    ["422 {detail}", { status: 422, json: { detail: "size must be WxH" } }, { code: "invalid_request", retryable: false }, "size must be WxH"],
    ["400 {message}", { status: 400, json: { message: "seed out of range" } }, { code: "invalid_request" }, "seed out of range"],
    ["202 with an empty id", { status: 202, json: { id: "", status: "queued" } }, { code: "invalid_response" }],
  ])("maps a submit answer %s", async (_label, answer, expected, reason) => {
    fake.reply = () => answer;
    const e = await failure(adapter().submit(request(), ctx()));
    expect(e).toMatchObject(expected);
    if (reason) expect(e.detail).toContain(reason);
  });
});

describe("TheRouter poll", () => {
  it("polls GET /v1/jobs/{id} through queued and in_progress until the URL arrives", async () => {
    const statuses = ["queued", "in_progress", "in_progress", "succeeded"];
    fake.reply = () => {
      const status = statuses.shift()!;
      return jobAnswer(status === "succeeded" ? { status, unsigned_urls: ["https://cdn.example/out.png?sig=1"] } : { status });
    };
    const a = adapter();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await a.poll!("img_01abc", request(), ctx()));
    expect(results.slice(0, 3)).toEqual(Array(3).fill({ status: "pending", pollAfterMs: 5000 }));
    expect(results[3]).toEqual({ status: "done", images: [{ url: "https://cdn.example/out.png?sig=1" }] });
    for (const sent of fake.requests) {
      expect(sent.method).toBe("GET");
      expect(sent.path).toBe("/v1/jobs/img_01abc");
      expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    }
    expect(fake.requests).toHaveLength(4);
  });


  it("accepts result.data[0].url and result.data[0].b64_json", async () => {
    fake.reply = () => jobAnswer({ status: "succeeded", result: { data: [{ url: "https://cdn.example/a.png" }] } });
    expect(await adapter().poll!("img_01abc", request(), ctx())).toEqual({ status: "done", images: [{ url: "https://cdn.example/a.png" }] });

    const png = await gradientPng(32, 24);
    for (const b64 of [png.toString("base64"), `data:image/png;base64,${png.toString("base64")}`]) {
      fake.reply = () => jobAnswer({ status: "succeeded", result: { data: [{ b64_json: b64 }] } });
      const done = await adapter().poll!("img_01abc", request(), ctx());
      if (done.status !== "done") throw new Error("expected done");
      expect((done.images[0] as { bytes: Buffer }).bytes.equals(png)).toBe(true);
    }
  });

  it.each<[string, Record<string, unknown>]>([
    ["no image at all", { status: "succeeded" }],
    ["an empty unsigned_urls", { status: "succeeded", unsigned_urls: [] }],
    ["a non-http URL", { status: "succeeded", unsigned_urls: ["file:///etc/passwd"] }],
    ["an unknown status", { status: "paused" }],
  ])("reports a success with %s as invalid_response", async (_label, job) => {
    fake.reply = () => jobAnswer(job);
    expect((await failure(adapter().poll!("img_01abc", request(), ctx()))).code).toBe("invalid_response");
  });

  it.each<[string, Record<string, unknown>, Partial<ProviderError>, string]>([
    ["failed with NSFW as a string", { status: "failed", error: "NSFW content detected" }, { code: "moderated" }, "NSFW"],
    ["failed with a top-level message", { status: "failed", message: "upstream timeout" }, { code: "provider_error", retryable: false }, "upstream timeout"],
  ])("maps a job %s", async (_label, job, expected, detail) => {
    fake.reply = () => jobAnswer(job);
    const e = await failure(adapter().poll!("img_01abc", request(), ctx()));
    expect(e).toMatchObject(expected);
    expect(e.detail).toContain(detail);
  });

  it("maps cancelled to provider_error and expired to expired", async () => {
    fake.reply = () => jobAnswer({ status: "cancelled" });
    const canceled = await failure(adapter().poll!("img_01abc", request(), ctx()));
    expect(canceled).toMatchObject({ code: "provider_error", retryable: false });
    expect(canceled.userMessage).toMatch(/TheRouter canceled/);
    fake.reply = () => jobAnswer({ status: "expired" });
    expect(await failure(adapter().poll!("img_01abc", request(), ctx()))).toMatchObject({ code: "expired", retryable: false });
  });

});

describe("TheRouter through the job worker", () => {
  async function runJob(onSucceeded: (url: string) => void) {
    const { db } = await import("@/lib/db");
    const { JobWorker } = await import("@/lib/worker");
    const jobs = await import("@/lib/jobs");
    const png = await gradientPng(64, 48);
    const statuses = ["queued", "in_progress", "succeeded"];
    fake.reply = (req) => {
      if (req.method === "POST") return { status: 202, json: queued };
      const status = statuses.shift() ?? "succeeded";
      if (status !== "succeeded") return jobAnswer({ status });
      const url = fake.serveFile("img_01abc.png", png);
      onSucceeded(url);
      return jobAnswer({ status, unsigned_urls: [url] });
    };
    let clock = 1_700_000_000_000;
    const worker = new JobWorker({
      db: db(),
      adapterFor: () => adapter(),
      fetch: globalThis.fetch,
      now: () => clock,
      sleep: async (ms, signal) => {
        await new Promise((r) => setImmediate(r));
        signal.throwIfAborted();
        clock += ms;
      },
      idleMs: 60_000,
      timeouts: { syncCallMs: 2000, requestMs: 500 },
    });
    const job = await jobs.createJob({ provider: "therouter", prompt: "a red chair", aspectRatio: "16:9", seed: 5 }, OPEN_ACTOR);
    await worker.start();
    for (let i = 0; i < 200 && ["queued", "running"].includes((await jobs.getJob(job.id))!.status); i++) {
      await worker.idle();
      await new Promise((r) => setTimeout(r, 10));
    }
    await worker.stop();
    return { done: (await jobs.getJob(job.id))!, png };
  }

  it("downloads a short-lived result URL at once and stores the image", async () => {
    // The URL dies 300 ms after TheRouter hands it out: only an immediate download gets it.
    const { done } = await runJob(() => setTimeout(() => fake.expire("img_01abc.png"), 300));
    expect(done.status).toBe("succeeded");
    expect(done.outputs).toHaveLength(1);
    expect(done.outputs[0]).toMatchObject({ width: 64, height: 48 });
    expect(done.costUsd).toBe(0.018);
    expect(fake.calls("POST", "/v1/images/generations")[0]!.json).toMatchObject({ size: "1392x752", seed: 5 });
  });

  it("fails the job as expired when the result URL is already gone", async () => {
    const { done } = await runJob(() => queueMicrotask(() => fake.expire("img_01abc.png")));
    expect(done.status).toBe("failed");
    expect(done.error?.code).toBe("expired");
    expect(done.error?.message).not.toContain(KEY);
  });
});
