import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import type { AspectRatio } from "@/lib/catalog";
import { createModelverseAdapter } from "@/lib/providers/modelverse";
import { type FakeProvider, startFakeProvider } from "../../support/fake-provider";
import { providerContract } from "./contract";
import { ctx, failure, handlerFor, KEY, png, type Reply, requestWith } from "./helpers";

const PATH = "/v1/images/generations";
const T2I = "black-forest-labs/flux-kontext-max/text-to-image";

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request = requestWith({ model: T2I, prompt: "Convert to quick pencil sketch", aspectRatio: "21:9", resolvedRatio: "21:9", seed: 98765 });
const b64 = async (r = 200) => `data:image/png;base64,${(await png(r)).toString("base64")}`;

async function serve(reply: Reply) {
  fake = await startFakeProvider(handlerFor(reply));
  return createModelverseAdapter(() => ({ apiKey: KEY, baseUrl: fake!.url }));
}

const errorBody = (message: string, extra: Record<string, unknown> = {}) => ({
  error: { message, type: "invalid_request_error", param: "req_7f3a9c", code: "bad_request", ...extra },
});

providerContract({
  id: "modelverse",
  create: createModelverseAdapter,
  request,
  submitPath: PATH,
  accepted: { json: { created: 1, data: [{ url: "https://cdn.example/out.png" }] } },
  errorBody: (message) => errorBody(message),
  // The error's `param` is the request id, kept so support can trace the call.
  said: (message) => `${message} (request id: req_7f3a9c)`,
  timeout: "syncCallMs",
});

describe("Modelverse adapter: the request", () => {
  it("sends the OpenAI-compatible JSON and returns the image", async () => {
    const adapter = await serve({ json: { created: 1750667997, data: [{ b64_json: await b64() }] } });
    const result = await adapter.submit(request(), ctx());
    expect(fake!.requests[0]!.json).toEqual({
      model: T2I,
      prompt: "Convert to quick pencil sketch",
      n: 1,
      aspect_ratio: "21:9",
      seed: 98765,
      response_format: "b64_json",
    });
    expect(result).toEqual({ status: "done", images: [{ bytes: await png() }] });
  });

  it.each<AspectRatio>(["16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"])("sends aspect_ratio %s as W:H", async (ratio) => {
    const adapter = await serve({ json: { created: 1, data: [{ b64_json: await b64() }] } });
    await adapter.submit(request({ aspectRatio: ratio, resolvedRatio: ratio }), ctx());
    expect(fake!.requests[0]!.json.aspect_ratio).toBe(ratio);
  });

  it("asks for n images in one call and returns them all", async () => {
    const adapter = await serve(async (body) => ({
      json: { created: 1, data: await Promise.all(Array.from({ length: body.n }, async (_, k) => ({ b64_json: await b64(10 * k) }))) },
    }));
    const result = await adapter.submit(request({ n: 4, seed: 3 }), ctx());
    expect(fake!.requests).toHaveLength(1);
    expect(fake!.requests[0]!.json).toMatchObject({ n: 4, seed: 3 });
    if (result.status !== "done") throw new Error("expected done");
    expect(result.images).toHaveLength(4);
    for (const [k, image] of result.images.entries()) {
      expect((image as { bytes: Buffer }).bytes.equals(await png(10 * k))).toBe(true);
    }
  });

  it("sends the first input as a data URI for an edit model", async () => {
    const input = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 10, g: 200, b: 90 } } }).jpeg().toBuffer();
    const adapter = await serve({ json: { created: 1, data: [{ b64_json: await b64() }] } });
    await adapter.submit(
      request({
        model: "black-forest-labs/flux-kontext-pro",
        mode: "edit",
        prompt: "add a small red hat",
        aspectRatio: "match_input",
        resolvedRatio: "4:3",
        inputs: [{ bytes: input, mime: "image/jpeg", width: 640, height: 480 }],
      }),
      ctx(),
    );
    const sent = fake!.requests[0]!.json;
    expect(sent).toMatchObject({ model: "black-forest-labs/flux-kontext-pro", prompt: "add a small red hat", aspect_ratio: "4:3", n: 1, response_format: "b64_json" });
    const match = /^data:(image\/(?:png|jpeg));base64,(.+)$/.exec(sent.image);
    expect(match).not.toBeNull();
    const meta = await sharp(Buffer.from(match![2]!, "base64")).metadata();
    expect([meta.width, meta.height]).toEqual([640, 480]);
    expect(`image/${meta.format}`).toBe(match![1]);
  });

  it("refuses an edit whose input is under 128 px on a side, without calling the provider", async () => {
    const adapter = await serve({ json: {} });
    const tiny = await png(1, 300, 100);
    const e = await failure(
      adapter.submit(request({ model: "black-forest-labs/flux-kontext-max", mode: "edit", inputs: [{ bytes: tiny, mime: "image/png", width: 300, height: 100 }] }), ctx()),
    );
    expect(e.code).toBe("invalid_request");
    expect(e.userMessage).toContain("128");
    expect(fake!.requests).toHaveLength(0);
  });

});

describe("Modelverse adapter: answers", () => {
  it("decodes b64_json without a data: prefix too", async () => {
    const adapter = await serve({ json: { created: 1, data: [{ b64_json: (await png()).toString("base64") }] } });
    expect(await adapter.submit(request(), ctx())).toEqual({ status: "done", images: [{ bytes: await png() }] });
  });

  it("prefers b64_json when the answer carries both, as in the document's example", async () => {
    const adapter = await serve({ json: { created: 1, data: [{ url: "https://example.invalid/x.png", b64_json: await b64() }], usage: { input_tokens_details: {} } } });
    expect(await adapter.submit(request(), ctx())).toEqual({ status: "done", images: [{ bytes: await png() }] });
  });

  it("passes a url result on for the worker to download at once", async () => {
    const adapter = await serve(() => ({ json: { created: 1, data: [{ url: fake!.serveFile("out.png", Buffer.from("x")), b64_json: null }] } }));
    expect(await adapter.submit(request(), ctx())).toEqual({ status: "done", images: [{ url: `${fake!.url}/files/out.png` }] });
  });

  it.each([
    ["Input flagged by content moderation", "invalid_request_error", "moderated"],
    ["seed out of range", "invalid_request_error", "invalid_request"],
    ["model overloaded", "server_error", "provider_error"],
  ] as const)("maps a 200 answer carrying error %j like a failure", async (message, type, code) => {
    const adapter = await serve({ json: errorBody(message, { type, code: "some_code" }) });
    const e = await failure(adapter.submit(request(), ctx()));
    expect(e.code).toBe(code);
    expect(e.detail).toContain(`${message} (request id: req_7f3a9c)`);
  });

  it.each([
    ["no data", { created: 1 }, 1],
    ["empty data", { created: 1, data: [] }, 1],
    ["fewer images than asked", { created: 1, data: [{ b64_json: "aGVsbG8=" }] }, 2],
    ["an item without an image", { created: 1, data: [{ revised_prompt: "x" }] }, 1],
    ["data that is not a list", { created: 1, data: "nope" }, 1],
    ["an empty base64 image", { created: 1, data: [{ b64_json: "data:image/png;base64," }] }, 1],
  ])("maps a schema mismatch (%s) to invalid_response", async (_label, json, n) => {
    const adapter = await serve({ json });
    const e = await failure(adapter.submit(request({ n }), ctx()));
    expect(e.code).toBe("invalid_response");
  });

  it("never shows the key from a 200 answer carrying an error either", async () => {
    const adapter = await serve({ json: errorBody(`Incorrect API key provided: ${KEY}`, { type: "server_error", code: "some_code" }) });
    const e = await failure(adapter.submit(request(), ctx()));
    expect(e.code).toBe("provider_error");
    expect(e.detail).toContain("[redacted]");
  });
});
