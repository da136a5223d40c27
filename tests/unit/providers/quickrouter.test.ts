import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createQuickRouterAdapter } from "@/lib/providers/quickrouter";
import type { GenerationRequest, ProviderError } from "@/lib/providers/types";
import { type FakeProvider, type FakeReply, refusedUrl, startFakeProvider } from "../../support/fake-provider";
import { gradientPng } from "../../support/fixtures";
import { ctx, failure, KEY, requestWith } from "./helpers";

/**
 * Contract tests for the QuickRouter adapter against a local fake of document 003 (Replicate's
 * prediction protocol behind a proxy): exact requests, and the mapping of every answer shape.
 */

const MODEL = "black-forest-labs/flux-kontext-pro";
const CREATE_PATH = "/replicate/v1/models/black-forest-labs/flux-kontext-pro/predictions";

let fake: FakeProvider;
let reply: (req: FakeProvider["requests"][number]) => FakeReply;

beforeAll(async () => {
  fake = await startFakeProvider((req) => reply(req));
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  reply = () => ({ status: 500, json: { detail: "no reply scripted" } });
});

const adapter = (baseUrl = () => fake.url) => createQuickRouterAdapter(() => ({ apiKey: KEY, baseUrl: baseUrl() }));
const keyless = () => createQuickRouterAdapter(() => ({ apiKey: undefined, baseUrl: fake.url }));

const request = requestWith({ model: MODEL, prompt: "Make this a 90s cartoon", aspectRatio: "4:5", resolvedRatio: "4:5", seed: 99 });

async function editRequest(overrides: Partial<GenerationRequest> = {}): Promise<GenerationRequest> {
  const bytes = await gradientPng(300, 400);
  return request({ mode: "edit", aspectRatio: "match_input", resolvedRatio: "3:4", inputs: [{ bytes, mime: "image/png", width: 300, height: 400 }], ...overrides });
}

const starting = {
  id: "b1qw7g8h9xrma0crakst3xbj8m",
  status: "starting",
  urls: {
    get: "https://api.replicate.com/v1/predictions/b1qw7g8h9xrma0crakst3xbj8m",
    cancel: "https://api.replicate.com/v1/predictions/b1qw7g8h9xrma0crakst3xbj8m/cancel",
  },
};
const prediction = (p: Record<string, unknown>): FakeReply => ({ status: 200, json: { id: starting.id, ...p } });

describe("QuickRouter submit", () => {
  it("creates a text-to-image prediction with the exact documented input", async () => {
    reply = () => ({ status: 201, json: starting });
    const result = await adapter().submit(request(), ctx());
    expect(result).toEqual({ status: "pending", providerJobId: starting.id, pollAfterMs: 2000 });

    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe(CREATE_PATH);
    expect([...sent.query]).toEqual([]);
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.headers["content-type"]).toContain("application/json");
    expect(sent.json).toEqual({
      input: { prompt: "Make this a 90s cartoon", aspect_ratio: "4:5", output_format: "png", safety_tolerance: 2, seed: 99 },
    });
  });

  it("sends an edit's input as a data URI of a re-encoded image, matching its ratio", async () => {
    reply = () => ({ status: 201, json: starting });
    await adapter().submit(await editRequest(), ctx());
    const { input } = fake.requests[0]!.json;
    expect(input).toMatchObject({ prompt: "Make this a 90s cartoon", aspect_ratio: "match_input_image", output_format: "png", seed: 99 });
    expect(input.safety_tolerance).toBeLessThanOrEqual(2);
    const match = /^data:(image\/(?:png|jpeg));base64,(.+)$/.exec(input.input_image);
    expect(match).not.toBeNull();
    const bytes = Buffer.from(match![2]!, "base64");
    const meta = await sharp(bytes).metadata();
    // An opaque PNG goes as JPEG: proof that it was re-encoded rather than passed through.
    expect([match![1], meta.format, meta.width, meta.height]).toEqual(["image/jpeg", "jpeg", 300, 400]);
  });

  it("sends a chosen ratio as W:H even with an input image", async () => {
    reply = () => ({ status: 201, json: starting });
    await adapter().submit(await editRequest({ aspectRatio: "16:9", resolvedRatio: "16:9" }), ctx());
    expect(fake.requests[0]!.json.input.aspect_ratio).toBe("16:9");
    expect(fake.requests[0]!.json.input.input_image).toMatch(/^data:image\//);
  });

  it("returns a prediction that is already finished as done", async () => {
    reply = () => ({ status: 201, json: { id: "p1", status: "succeeded", output: "https://replicate.delivery/x/out.png" } });
    expect(await adapter().submit(request(), ctx())).toEqual({ status: "done", images: [{ url: "https://replicate.delivery/x/out.png" }] });
  });

  it("keeps the id of a prediction answered with an unexpected non-terminal status", async () => {
    reply = () => ({ status: 201, json: { id: "p2", status: "queued" } });
    expect(await adapter().submit(request(), ctx())).toMatchObject({ status: "pending", providerJobId: "p2" });
    reply = () => ({ status: 201, json: { id: "p3", status: "failed", error: "invalid input_image" } });
    expect((await failure(adapter().submit(request(), ctx())))).toMatchObject({ code: "provider_error", detail: "invalid input_image" });
  });

  it("refuses an edit without an input image before calling QuickRouter", async () => {
    const e = await failure(adapter().submit(request({ mode: "edit" }), ctx()));
    expect(e.code).toBe("invalid_request");
    expect(fake.requests).toHaveLength(0);
  });

  it("reports a missing key as auth_failed naming QUICKROUTER_API_KEY, without calling out", async () => {
    const e = await failure(keyless().submit(request(), ctx()));
    expect(e.code).toBe("auth_failed");
    expect(e.message).toContain("QUICKROUTER_API_KEY");
    await expect(keyless().poll!("p1", request(), ctx())).rejects.toMatchObject({ code: "auth_failed" });
    await expect(keyless().cancel!("p1", ctx())).rejects.toMatchObject({ code: "auth_failed" });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("QuickRouter errors", () => {
  it.each<[string, FakeReply, Partial<ProviderError>, string?]>([
    ["400 {detail}", { status: 400, json: { detail: "prompt is required" } }, { code: "invalid_request", retryable: false }, "prompt is required"],
    [
      "422 {title, detail}",
      { status: 422, json: { title: "Input validation failed", detail: "input.aspect_ratio must be one of …", status: 422 } },
      { code: "invalid_request", retryable: false },
      "input.aspect_ratio must be one of",
    ],
    ["401", { status: 401, json: { detail: "Invalid token." } }, { code: "auth_failed", retryable: false }],
    ["429 + Retry-After: 7", { status: 429, headers: { "Retry-After": "7" }, json: { detail: "Request was throttled." } }, { code: "rate_limited", retryable: true, notReceived: true, retryAfterMs: 7000 }],
    ["500", { status: 500, json: { detail: "Internal server error" } }, { code: "provider_error", retryable: true, notReceived: false }, "Internal server error"],
    ["400 NSFW", { status: 400, json: { detail: "NSFW content detected" } }, { code: "moderated", retryable: false }, "NSFW content detected"],
    ["200 not JSON", { status: 200, body: "not json{" }, { code: "invalid_response" }],
    ["200 schema mismatch", { status: 200, json: { foo: 1 } }, { code: "invalid_response" }],
  ])("maps a create answer %s", async (_label, answer, expected, reason) => {
    reply = () => answer;
    const e = await failure(adapter().submit(request(), ctx()));
    expect(e).toMatchObject(expected);
    if (reason) expect(e.detail).toContain(reason);
  });

  it("maps the same faults on a poll", async () => {
    reply = () => ({ status: 502, body: "bad gateway" });
    expect(await failure(adapter().poll!("p1", request(), ctx()))).toMatchObject({ code: "provider_error", retryable: true });
    reply = () => ({ status: 429, headers: { "Retry-After": "7" }, json: { detail: "throttled" } });
    expect(await failure(adapter().poll!("p1", request(), ctx()))).toMatchObject({ code: "rate_limited", retryAfterMs: 7000 });
    reply = () => ({ status: 200, json: { foo: 1 } });
    expect(await failure(adapter().poll!("p1", request(), ctx()))).toMatchObject({ code: "invalid_response" });
  });

  it("times out a hanging request after requestMs", async () => {
    reply = () => ({ hang: true });
    const started = Date.now();
    expect(await failure(adapter().submit(request(), ctx()))).toMatchObject({ code: "timeout", retryable: true, notReceived: false });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("marks a refused connection as certainly not received", async () => {
    const dead = await refusedUrl();
    expect(await failure(adapter(() => dead).submit(request(), ctx()))).toMatchObject({ code: "provider_error", retryable: true, notReceived: true });
  });

  it("scrubs the key when QuickRouter echoes it back", async () => {
    reply = () => ({ status: 401, json: { detail: `Invalid token ${KEY}` } });
    const e = await failure(adapter().submit(request(), ctx()));
    expect(e.code).toBe("auth_failed");
    expect(e.detail).toContain("[redacted]");
  });

  it("scrubs the key from a failed prediction's own words too", async () => {
    reply = () => prediction({ status: "failed", error: `token ${KEY} is out of credit` });
    const e = await failure(adapter().poll!("p1", request(), ctx()));
    expect(e).toMatchObject({ code: "provider_error", detail: "token [redacted] is out of credit" });
  });
});

describe("QuickRouter poll and cancel", () => {
  it("polls GET /replicate/v1/predictions/{id} until the output URL arrives", async () => {
    const statuses = ["starting", "processing", "processing", "succeeded"];
    reply = () => {
      const status = statuses.shift()!;
      return prediction(status === "succeeded" ? { status, output: "https://replicate.delivery/pbxt/out.png" } : { status, output: null });
    };
    const a = adapter();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await a.poll!(starting.id, request(), ctx()));
    expect(results.slice(0, 3)).toEqual(Array(3).fill({ status: "pending", pollAfterMs: 2000 }));
    expect(results[3]).toEqual({ status: "done", images: [{ url: "https://replicate.delivery/pbxt/out.png" }] });
    expect(fake.requests).toHaveLength(4);
    for (const sent of fake.requests) {
      expect(sent.method).toBe("GET");
      expect(sent.path).toBe(`/replicate/v1/predictions/${starting.id}`);
      expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    }
  });

  it("never follows urls.get to another origin: the key stays with the configured one", async () => {
    let seen = 0;
    const other = await startFakeProvider(() => {
      seen++;
      return { status: 200, json: { id: "p1", status: "processing" } };
    });
    try {
      reply = () => ({ status: 201, json: { id: "p1", status: "starting", urls: { get: `${other.url}/v1/predictions/p1` } } });
      const submitted = await adapter().submit(request(), ctx());
      if (submitted.status !== "pending") throw new Error("expected pending");
      reply = () => prediction({ id: "p1", status: "processing" });
      await adapter().poll!(submitted.providerJobId, request(), ctx());
      expect(seen).toBe(0);
      expect(fake.requests[1]!.path).toBe("/replicate/v1/predictions/p1");
    } finally {
      await other.close();
    }
  });

  it("accepts a one-element output list", async () => {
    reply = () => prediction({ status: "succeeded", output: ["https://replicate.delivery/a.png"] });
    expect(await adapter().poll!("p1", request(), ctx())).toEqual({ status: "done", images: [{ url: "https://replicate.delivery/a.png" }] });
  });

  it.each<[string, Record<string, unknown>]>([
    ["no output", { status: "succeeded", output: null }],
    ["an empty output list", { status: "succeeded", output: [] }],
    ["a non-http output", { status: "succeeded", output: "javascript:alert(1)" }],
    ["an unknown status", { status: "queued" }],
  ])("reports %s as invalid_response", async (_label, p) => {
    reply = () => prediction(p);
    expect((await failure(adapter().poll!("p1", request(), ctx()))).code).toBe("invalid_response");
  });

  it.each<[string, Record<string, unknown>, Partial<ProviderError>, string]>([
    ["failed with a safety message", { status: "failed", error: "Prediction failed: output flagged as sensitive by the safety filter" }, { code: "moderated", retryable: false }, "safety filter"],
    ["failed with NSFW", { status: "failed", error: "NSFW content detected. Try a different prompt." }, { code: "moderated" }, "NSFW"],
    ["failed for another reason", { status: "failed", error: "CUDA error: out of memory" }, { code: "provider_error", retryable: false }, "CUDA error"],
    ["failed without a reason", { status: "failed", error: null }, { code: "provider_error", retryable: false }, "without a reason"],
  ])("maps a prediction %s", async (_label, p, expected, detail) => {
    reply = () => prediction(p);
    const e = await failure(adapter().poll!("p1", request(), ctx()));
    expect(e).toMatchObject(expected);
    expect(e.detail).toContain(detail);
  });

  it("maps canceled to provider_error saying it was canceled at the provider", async () => {
    reply = () => prediction({ status: "canceled" });
    const e = await failure(adapter().poll!("p1", request(), ctx()));
    expect(e).toMatchObject({ code: "provider_error", retryable: false });
    expect(e.userMessage).toContain("canceled at the provider");
  });

  it("cancels with POST /replicate/v1/predictions/{id}/cancel", async () => {
    reply = () => prediction({ status: "canceled" });
    await expect(adapter().cancel!("b1qw7g8h9xrma0crakst3xbj8m", ctx())).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/replicate/v1/predictions/b1qw7g8h9xrma0crakst3xbj8m/cancel");
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("lets a failed cancel throw a typed error (the worker swallows it)", async () => {
    reply = () => ({ status: 404, json: { detail: "Not found." } });
    expect((await failure(adapter().cancel!("p1", ctx()))).code).toBe("invalid_request");
  });

  it("never lets an id change the path", async () => {
    reply = () => prediction({ status: "processing" });
    await adapter().poll!("p1/../../models", request(), ctx());
    expect(fake.requests[0]!.path).toBe("/replicate/v1/predictions/p1%2F..%2F..%2Fmodels");
  });
});
