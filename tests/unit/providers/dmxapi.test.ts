import { afterEach, describe, expect, it } from "vitest";
import { createDmxapiAdapter } from "@/lib/providers/dmxapi";
import { type FakeProvider, startFakeProvider } from "../../support/fake-provider";
import { providerContract } from "./contract";
import { ctx, failure, handlerFor, KEY, png, type Reply, requestWith } from "./helpers";

const PATH = "/v1/images/generations";

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request = requestWith({ model: "flux-kontext-pro", prompt: "a comic-style card that says Hello", aspectRatio: "16:9", resolvedRatio: "16:9", seed: 1234 });

providerContract({
  id: "dmxapi",
  create: createDmxapiAdapter,
  request,
  submitPath: PATH,
  accepted: { json: { data: [{ url: "https://cdn.example/out.png" }] } },
  errorBody: (message) => ({ error: { message } }),
  timeout: "syncCallMs",
});

async function serve(reply: Reply) {
  fake = await startFakeProvider(handlerFor(reply));
  return createDmxapiAdapter(() => ({ apiKey: KEY, baseUrl: fake!.url }));
}

describe("DMXAPI adapter: the request", () => {
  it("sends the documented JSON and returns the image with its seed", async () => {
    const bytes = await png();
    const adapter = await serve({ json: { data: [{ b64_json: bytes.toString("base64") }] } });
    const result = await adapter.submit(request(), ctx());
    expect(fake!.requests[0]!.json).toEqual({ model: "flux-kontext-pro", prompt: "a comic-style card that says Hello", size: "16x9", n: 1, seed: 1234 });
    expect(result).toEqual({ status: "done", images: [{ bytes, seed: 1234 }] });
  });

  it.each([
    ["3:2", "3x2"],
    ["1:1", "1x1"],
    ["9:16", "9x16"],
    ["2:3", "2x3"],
  ] as const)("spells the ratio %s as %s", async (ratio, size) => {
    const adapter = await serve({ json: { data: [{ b64_json: (await png()).toString("base64") }] } });
    await adapter.submit(request({ aspectRatio: ratio, resolvedRatio: ratio, model: "flux-kontext-max" }), ctx());
    expect(fake!.requests[0]!.json).toMatchObject({ size, model: "flux-kontext-max", n: 1 });
  });

  it("turns n = 3 into three calls with seeds s, s+1, s+2, each image keeping its seed", async () => {
    const adapter = await serve(async (body) => ({ json: { data: [{ b64_json: (await png(body.seed % 256)).toString("base64") }] } }));
    const result = await adapter.submit(request({ n: 3, seed: 500 }), ctx());
    const sent = fake!.calls("POST", PATH);
    expect(sent.map((r) => r.json.seed)).toEqual([500, 501, 502]);
    expect(sent.every((r) => r.json.n === 1)).toBe(true);
    if (result.status !== "done") throw new Error("expected done");
    expect(result.images.map((i) => i.seed)).toEqual([500, 501, 502]);
    for (const [k, image] of result.images.entries()) {
      expect((image as { bytes: Buffer }).bytes.equals(await png((500 + k) % 256))).toBe(true);
    }
  });

  it("wraps seeds at 2^31-1 and never sends -1", async () => {
    const adapter = await serve(async () => ({ json: { data: [{ b64_json: (await png()).toString("base64") }] } }));
    await adapter.submit(request({ n: 3, seed: 2147483646 }), ctx());
    expect(fake!.requests.map((r) => r.json.seed)).toEqual([2147483646, 2147483647, 0]);
  });

  it("refuses editing without calling the provider", async () => {
    const adapter = await serve({ json: {} });
    const e = await failure(adapter.submit(request({ mode: "edit", inputs: [{ bytes: await png(), mime: "image/png", width: 32, height: 18 }] }), ctx()));
    expect(e.code).toBe("invalid_request");
    expect(e.userMessage).toContain("DMXAPI does not document image editing");
    expect(fake!.requests).toHaveLength(0);
  });
});

describe("DMXAPI adapter: answers", () => {
  it("decodes b64_json with a data: prefix", async () => {
    const bytes = await png();
    const adapter = await serve({ json: { data: [{ b64_json: `data:image/png;base64,${bytes.toString("base64")}` }] } });
    const result = await adapter.submit(request(), ctx());
    expect(result).toEqual({ status: "done", images: [{ bytes, seed: 1234 }] });
  });

  it("passes a url result on for the worker to download at once", async () => {
    const adapter = await serve(() => ({ json: { data: [{ url: fake!.serveFile("out.png", Buffer.from("x")) }] } }));
    const result = await adapter.submit(request(), ctx());
    expect(result).toEqual({ status: "done", images: [{ url: `${fake!.url}/files/out.png`, seed: 1234 }] });
  });

  it.each([
    [422, { message: "prompt is required" }, "prompt is required"],
    [400, { msg: "n must be 1" }, "n must be 1"],
  ])("maps %i with a reason as {message} or {msg} to invalid_request keeping the reason", async (status, json, reason) => {
    const adapter = await serve({ status, json });
    const e = await failure(adapter.submit(request(), ctx()));
    expect(e.code).toBe("invalid_request");
    expect(e.detail).toContain(reason);
    expect(e.detail).toContain(String(status));
  });

  it.each([
    ["no data", { created: 1 }],
    ["empty data", { data: [] }],
    ["an item without an image", { data: [{ revised_prompt: "x" }] }],
    ["a non-string b64_json", { data: [{ b64_json: 42 }] }],
  ])("maps a schema mismatch (%s) to invalid_response", async (_label, json) => {
    const adapter = await serve({ json });
    const e = await failure(adapter.submit(request(), ctx()));
    expect(e.code).toBe("invalid_response");
  });

  it("fails the job when a later call fails, and forbids resending the already-billed batch", async () => {
    let count = 0;
    const adapter = await serve(async () =>
      ++count === 2
        ? { status: 429, headers: { "Retry-After": "7" }, json: { error: { message: "slow down" } } }
        : { json: { data: [{ b64_json: (await png()).toString("base64") }] } },
    );
    const e = await failure(adapter.submit(request({ n: 3 }), ctx()));
    expect(fake!.requests).toHaveLength(2);
    expect(e.code).toBe("rate_limited");
    expect(e.notReceived).toBe(false);
    expect(e.detail).toContain("image 2 of 3");
    expect(e.detail).toContain("slow down");
  });

  it("never shows the key when a later call fails either, and still says which image failed", async () => {
    let count = 0;
    const adapter = await serve(async () =>
      ++count === 2 ? { status: 500, json: { error: { message: `token ${KEY} overloaded` } } } : { json: { data: [{ b64_json: (await png()).toString("base64") }] } },
    );
    const e = await failure(adapter.submit(request({ n: 2 }), ctx()));
    expect(e).toMatchObject({ code: "provider_error", notReceived: false });
    expect(e.detail).toContain("[redacted]");
    expect(e.detail).toContain("image 2 of 2");
  });
});
