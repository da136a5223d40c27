import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createQuickRouterAdapter } from "@/lib/providers/quickrouter";
import type { GenerationRequest } from "@/lib/providers/types";
import { type FakeReply, startFakeProvider } from "../../support/fake-provider";
import { gradientPng } from "../../support/fixtures";
import { providerContract } from "./contract";
import { ctx, failure, KEY, requestWith, scriptedFake } from "./helpers";

/**
 * The QuickRouter adapter against a local fake of document 003 (Replicate's prediction protocol
 * behind a proxy): the provider contract, then exact requests and this protocol's own answer shapes.
 */

const MODEL = "black-forest-labs/flux-kontext-pro";
const CREATE_PATH = "/replicate/v1/models/black-forest-labs/flux-kontext-pro/predictions";

const fake = scriptedFake({ status: 500, json: { detail: "no reply scripted" } });

const adapter = () => createQuickRouterAdapter(() => ({ apiKey: KEY, baseUrl: fake.url }));

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

providerContract({
  id: "quickrouter",
  create: createQuickRouterAdapter,
  request,
  submitPath: CREATE_PATH,
  accepted: { status: 201, json: starting },
  errorBody: (detail) => ({ detail }),
  timeout: "requestMs",
  async: {
    pollPath: (id) => `/replicate/v1/predictions/${id}`,
    cancelPath: (id) => `/replicate/v1/predictions/${id}/cancel`,
    pending: prediction({ status: "processing" }),
    failed: (reason) => prediction({ status: "failed", error: reason ?? null }),
  },
});

describe("QuickRouter submit", () => {
  it("creates a text-to-image prediction with the exact documented input", async () => {
    fake.reply = () => ({ status: 201, json: starting });
    const result = await adapter().submit(request(), ctx());
    expect(result).toEqual({ status: "pending", providerJobId: starting.id, pollAfterMs: 2000 });

    const sent = fake.requests[0]!;
    expect([...sent.query]).toEqual([]);
    expect(sent.json).toEqual({
      input: { prompt: "Make this a 90s cartoon", aspect_ratio: "4:5", output_format: "png", safety_tolerance: 2, seed: 99 },
    });
  });

  it("sends an edit's input as a data URI of a re-encoded image, matching its ratio", async () => {
    fake.reply = () => ({ status: 201, json: starting });
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
    fake.reply = () => ({ status: 201, json: starting });
    await adapter().submit(await editRequest({ aspectRatio: "16:9", resolvedRatio: "16:9" }), ctx());
    expect(fake.requests[0]!.json.input.aspect_ratio).toBe("16:9");
    expect(fake.requests[0]!.json.input.input_image).toMatch(/^data:image\//);
  });

  it("returns a prediction that is already finished as done", async () => {
    fake.reply = () => ({ status: 201, json: { id: "p1", status: "succeeded", output: "https://replicate.delivery/x/out.png" } });
    expect(await adapter().submit(request(), ctx())).toEqual({ status: "done", images: [{ url: "https://replicate.delivery/x/out.png" }] });
  });

  it("keeps the id of a prediction answered with an unexpected non-terminal status", async () => {
    fake.reply = () => ({ status: 201, json: { id: "p2", status: "queued" } });
    expect(await adapter().submit(request(), ctx())).toMatchObject({ status: "pending", providerJobId: "p2" });
    fake.reply = () => ({ status: 201, json: { id: "p3", status: "failed", error: "invalid input_image" } });
    expect((await failure(adapter().submit(request(), ctx())))).toMatchObject({ code: "provider_error", detail: "invalid input_image" });
  });


});

describe("QuickRouter errors", () => {
  it("keeps a validation error's detail rather than its title", async () => {
    fake.reply = () => ({ status: 422, json: { title: "Input validation failed", detail: "input.aspect_ratio must be one of …", status: 422 } });
    const e = await failure(adapter().submit(request(), ctx()));
    expect(e).toMatchObject({ code: "invalid_request", retryable: false });
    expect(e.detail).toContain("input.aspect_ratio must be one of");
  });
});

describe("QuickRouter poll and cancel", () => {
  it("polls GET /replicate/v1/predictions/{id} until the output URL arrives", async () => {
    const statuses = ["starting", "processing", "processing", "succeeded"];
    fake.reply = () => {
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
      fake.reply = () => ({ status: 201, json: { id: "p1", status: "starting", urls: { get: `${other.url}/v1/predictions/p1` } } });
      const submitted = await adapter().submit(request(), ctx());
      if (submitted.status !== "pending") throw new Error("expected pending");
      fake.reply = () => prediction({ id: "p1", status: "processing" });
      await adapter().poll!(submitted.providerJobId, request(), ctx());
      expect(seen).toBe(0);
      expect(fake.requests[1]!.path).toBe("/replicate/v1/predictions/p1");
    } finally {
      await other.close();
    }
  });

  it("accepts a one-element output list", async () => {
    fake.reply = () => prediction({ status: "succeeded", output: ["https://replicate.delivery/a.png"] });
    expect(await adapter().poll!("p1", request(), ctx())).toEqual({ status: "done", images: [{ url: "https://replicate.delivery/a.png" }] });
  });

  it.each<[string, Record<string, unknown>]>([
    ["no output", { status: "succeeded", output: null }],
    ["an empty output list", { status: "succeeded", output: [] }],
    ["a non-http output", { status: "succeeded", output: "javascript:alert(1)" }],
    ["an unknown status", { status: "queued" }],
  ])("reports %s as invalid_response", async (_label, p) => {
    fake.reply = () => prediction(p);
    expect((await failure(adapter().poll!("p1", request(), ctx()))).code).toBe("invalid_response");
  });

  it("maps canceled to provider_error saying it was canceled at the provider", async () => {
    fake.reply = () => prediction({ status: "canceled" });
    const e = await failure(adapter().poll!("p1", request(), ctx()));
    expect(e).toMatchObject({ code: "provider_error", retryable: false });
    expect(e.userMessage).toContain("canceled at the provider");
  });

});
