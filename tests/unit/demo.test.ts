import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import type { AspectRatio } from "@/lib/catalog";
import { demoEffectName, renderDemo } from "@/lib/demo/render";
import { createDemoAdapter, demoAdapter } from "@/lib/providers/demo";
import { type GenerationRequest, type ProviderContext, ProviderError } from "@/lib/providers/types";

// ---------- helpers ----------

type Pixels = { data: Buffer; width: number; height: number };

async function decode(bytes: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel value, 0..255. */
function meanAbsDiff(a: Pixels, b: Pixels): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let k = 0; k < a.data.length; k++) sum += Math.abs(a.data[k]! - b.data[k]!);
  return sum / a.data.length;
}

function channelMeans(p: Pixels): [number, number, number] {
  const sums = [0, 0, 0];
  for (let k = 0; k < p.data.length; k++) sums[k % 3]! += p.data[k]!;
  const count = p.data.length / 3;
  return [sums[0]! / count, sums[1]! / count, sums[2]! / count];
}

function stdDev(p: Pixels): number {
  let sum = 0;
  let sq = 0;
  for (const v of p.data) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / p.data.length;
  return Math.sqrt(sq / p.data.length - mean * mean);
}

/** A colourful test photo: a two-axis gradient crossed by stripes, so every filter has edges and hues to act on. */
async function gradientPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 3;
      const stripe = Math.floor(x / 40) % 2 === 0 ? 0 : 60;
      raw[k] = Math.round((255 * x) / width);
      raw[k + 1] = Math.round((200 * y) / height) + (stripe ? 40 : 0);
      raw[k + 2] = 220 - stripe * 2;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** The input as renderDemo sees it before any effect: covered to the ratio's size. */
async function coveredInput(bytes: Buffer, width: number, height: number): Promise<Pixels> {
  const { data } = await sharp(bytes).rotate().resize(width, height, { fit: "cover" }).raw().toBuffer({ resolveWithObject: true });
  return { data, width, height };
}

function fakeContext(clock: { t: number }, signal = new AbortController().signal): ProviderContext {
  return {
    fetch: (() => Promise.reject(new Error("the demo engine must not use the network"))) as typeof fetch,
    now: () => clock.t,
    signal,
    timeouts: { syncCallMs: 1000, requestMs: 1000 },
  };
}

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    jobId: "job_1",
    model: "demo",
    mode: "generate",
    prompt: "a quiet harbour at dawn",
    aspectRatio: "1:1",
    resolvedRatio: "1:1",
    seed: 42,
    n: 1,
    inputs: [],
    ...overrides,
  };
}

const INPUT_W = 640;
const INPUT_H = 480;
const inputPng = gradientPng(INPUT_W, INPUT_H);
const input = async () => ({ bytes: await inputPng, width: INPUT_W, height: INPUT_H });

// ---------- renderDemo: generate ----------

describe("renderDemo generate", () => {
  it("is byte-identical for the same recipe", async () => {
    const a = await renderDemo({ prompt: "neon koi", seed: 7, ratio: "1:1" });
    const b = await renderDemo({ prompt: "neon koi", seed: 7, ratio: "1:1" });
    expect(a.mime).toBe("image/jpeg");
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it("changes visibly with the seed or the prompt", async () => {
    const base = await decode((await renderDemo({ prompt: "neon koi", seed: 7, ratio: "1:1" })).bytes);
    const otherSeed = await decode((await renderDemo({ prompt: "neon koi", seed: 8, ratio: "1:1" })).bytes);
    const otherPrompt = await decode((await renderDemo({ prompt: "neon koi!", seed: 7, ratio: "1:1" })).bytes);
    expect(meanAbsDiff(base, otherSeed)).toBeGreaterThan(15);
    expect(meanAbsDiff(base, otherPrompt)).toBeGreaterThan(15);
  });

  it("draws a picture, not a flat fill", async () => {
    const img = await decode((await renderDemo({ prompt: "anything", seed: 1, ratio: "4:3" })).bytes);
    expect(stdDev(img)).toBeGreaterThan(20);
  });

  it.each<[AspectRatio, number, number]>([
    ["1:1", 1024, 1024],
    ["16:9", 1392, 752],
    ["9:16", 752, 1392],
    ["3:4", 880, 1184],
    ["21:9", 1568, 672],
    ["9:21", 672, 1568],
  ])("renders %s at %ix%i", async (ratio, width, height) => {
    const out = await renderDemo({ prompt: "size check", seed: 3, ratio });
    expect([out.width, out.height]).toEqual([width, height]);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", width, height]);
  });
});

// ---------- renderDemo: edit ----------

describe("renderDemo edit", () => {
  it.each([
    ["make it black and white", "greyscale"],
    ["an old vintage postcard", "sepia"],
    ["invert the colours", "invert"],
    ["dreamy and soft", "dream"],
    ["pencil sketch of it", "sketch"],
    ["as an oil painting", "watercolor"],
    ["golden hour sunset", "warm"],
    ["winter night", "cool"],
    ["pop art poster", "poster"],
    ["add a small red hat", "fallback"],
  ])("%j applies %s and clearly changes the picture", async (prompt, effect) => {
    expect(demoEffectName(prompt)).toBe(effect);
    const src = await input();
    const out = await renderDemo({ prompt, seed: 5, ratio: "16:9", input: src });
    expect([out.width, out.height]).toEqual([1392, 752]);
    const after = await decode(out.bytes);
    expect([after.width, after.height]).toEqual([1392, 752]);
    const before = await coveredInput(src.bytes, 1392, 752);
    expect(meanAbsDiff(before, after)).toBeGreaterThan(12);
  });

  it("does not mistake words that merely contain a keyword", () => {
    expect(demoEffectName("a bold bluebird near a household")).toBe("fallback");
  });

  it("greyscale leaves no colour and warm/cool shift the balance the right way", async () => {
    const src = await input();
    const grey = await decode((await renderDemo({ prompt: "monochrome", seed: 1, ratio: "1:1", input: src })).bytes);
    let maxSpread = 0;
    for (let k = 0; k < grey.data.length; k += 3) {
      const [r, g, b] = [grey.data[k]!, grey.data[k + 1]!, grey.data[k + 2]!];
      maxSpread = Math.max(maxSpread, Math.max(r, g, b) - Math.min(r, g, b));
    }
    expect(maxSpread).toBeLessThanOrEqual(6); // JPEG chroma noise only

    const [r0, , b0] = channelMeans(await coveredInput(src.bytes, 1024, 1024));
    const [rw, , bw] = channelMeans(await decode((await renderDemo({ prompt: "warm", seed: 1, ratio: "1:1", input: src })).bytes));
    const [rc, , bc] = channelMeans(await decode((await renderDemo({ prompt: "cold", seed: 1, ratio: "1:1", input: src })).bytes));
    expect(rw - bw).toBeGreaterThan(r0 - b0 + 40);
    expect(bc - rc).toBeGreaterThan(b0 - r0 + 20);
  });

  it("is deterministic for the same input and varies with the seed", async () => {
    const src = await input();
    const a = await renderDemo({ prompt: "add a hat", seed: 9, ratio: "3:4", input: src });
    const b = await renderDemo({ prompt: "add a hat", seed: 9, ratio: "3:4", input: src });
    const c = await renderDemo({ prompt: "add a hat", seed: 10, ratio: "3:4", input: src });
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(meanAbsDiff(await decode(a.bytes), await decode(c.bytes))).toBeGreaterThan(2);
    expect([a.width, a.height]).toEqual([880, 1184]);
  });

  it("honours EXIF orientation and strips metadata", async () => {
    // Stored red-left/blue-right; orientation 6 displays it turned clockwise: red on top.
    const raw = Buffer.alloc(200 * 100 * 3);
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 200; x++) raw.set(x < 100 ? [255, 0, 0] : [0, 0, 255], (y * 200 + x) * 3);
    }
    const bytes = await sharp(raw, { raw: { width: 200, height: 100, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(bytes).metadata()).orientation).toBe(6);

    const out = await renderDemo({ prompt: "greyscale", seed: 1, ratio: "1:1", input: { bytes, width: 200, height: 100 } });
    const meta = await sharp(out.bytes).metadata();
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();

    const img = await decode(out.bytes);
    const rowMean = (y: number) => {
      let s = 0;
      for (let x = 0; x < img.width; x++) s += img.data[(y * img.width + x) * 3]!;
      return s / img.width;
    };
    // Red is brighter than blue in greyscale (luma 76 vs 29).
    expect(rowMean(100) - rowMean(img.height - 100)).toBeGreaterThan(25);
  });
});

// ---------- the provider adapter ----------

describe("demo adapter", () => {
  const START = 1_700_000_000_000;

  it("stays pending until the delay has passed, then returns the rendered image", async () => {
    const clock = { t: START };
    const adapter = createDemoAdapter({ delayMs: () => 3000 });
    const req = request();

    const submitted = await adapter.submit(req, fakeContext(clock));
    expect(submitted).toEqual({ status: "pending", providerJobId: `demo_${START}`, pollAfterMs: 3000 });
    if (submitted.status !== "pending") throw new Error("unreachable");

    // 1.2 s of 3 s: it says how far along it is, for open tabs.
    clock.t = START + 1200;
    expect(await adapter.poll!(submitted.providerJobId, req, fakeContext(clock))).toEqual({
      status: "pending",
      pollAfterMs: 1800,
      progress: expect.closeTo(0.4, 5),
    });

    clock.t = START + 3000;
    const done = await adapter.poll!(submitted.providerJobId, req, fakeContext(clock));
    expect(done.status).toBe("done");
    if (done.status !== "done") throw new Error("unreachable");
    expect(done.images).toHaveLength(1);
    const expected = await renderDemo({ prompt: req.prompt, seed: 42, ratio: "1:1" });
    expect((done.images[0] as { bytes: Buffer }).bytes.equals(expected.bytes)).toBe(true);
  });

  it("renders n distinct images with consecutive seeds, wrapping at 2^31-1", async () => {
    const clock = { t: START + 10_000 };
    const adapter = createDemoAdapter({ delayMs: () => 0 });
    const req = request({ n: 2, seed: 2147483647, resolvedRatio: "16:9", aspectRatio: "16:9" });
    const done = await adapter.poll!(`demo_${START}`, req, fakeContext(clock));
    if (done.status !== "done") throw new Error("expected done");
    const [first, second] = done.images as { bytes: Buffer }[];
    expect(first!.bytes.equals(second!.bytes)).toBe(false);
    const wrapped = await renderDemo({ prompt: req.prompt, seed: 0, ratio: "16:9" });
    expect(second!.bytes.equals(wrapped.bytes)).toBe(true);
    expect((await sharp(first!.bytes).metadata()).width).toBe(1392);
  });

  it("edits the first input at the resolved ratio", async () => {
    const src = await input();
    const adapter = createDemoAdapter({ delayMs: () => 0 });
    const req = request({
      mode: "edit",
      prompt: "sepia",
      aspectRatio: "match_input",
      resolvedRatio: "9:16",
      inputs: [{ ...src, mime: "image/png" }],
    });
    const done = await adapter.poll!(`demo_${START}`, req, fakeContext({ t: START }));
    if (done.status !== "done") throw new Error("expected done");
    const img = await decode((done.images[0] as { bytes: Buffer }).bytes);
    expect([img.width, img.height]).toEqual([752, 1392]);
    expect(meanAbsDiff(img, await coveredInput(src.bytes, 752, 1392))).toBeGreaterThan(12);
  });

  it("resumes from the id alone, as after a server restart", async () => {
    const before = createDemoAdapter({ delayMs: () => 500 });
    const submitted = await before.submit(request(), fakeContext({ t: START }));
    if (submitted.status !== "pending") throw new Error("expected pending");
    const after = createDemoAdapter({ delayMs: () => 500 });
    const done = await after.poll!(submitted.providerJobId, request(), fakeContext({ t: START + 600 }));
    expect(done.status).toBe("done");
  });

  it.each(["", "nope", "demo_", "demo_abc", "bfl_123", "demo_12x"])("rejects the job id %j as invalid_response", async (id) => {
    const adapter = createDemoAdapter({ delayMs: () => 0 });
    const error = await adapter.poll!(id, request(), fakeContext({ t: START })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe("invalid_response");
  });

  it("refuses an edit without an input image", async () => {
    const adapter = createDemoAdapter({ delayMs: () => 0 });
    const error = await adapter.poll!(`demo_${START}`, request({ mode: "edit" }), fakeContext({ t: START })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe("invalid_request");
  });

  it("throws when the signal is aborted", async () => {
    const adapter = createDemoAdapter({ delayMs: () => 0 });
    const controller = new AbortController();
    controller.abort();
    await expect(adapter.submit(request(), fakeContext({ t: START }, controller.signal))).rejects.toThrow();
    await expect(adapter.poll!(`demo_${START}`, request(), fakeContext({ t: START }, controller.signal))).rejects.toThrow();
  });

  it("treats a nonsense delay as none", async () => {
    const adapter = createDemoAdapter({ delayMs: () => Number.NaN });
    const submitted = await adapter.submit(request(), fakeContext({ t: START }));
    expect(submitted).toMatchObject({ status: "pending", pollAfterMs: 0 });
  });

  describe("the default instance", () => {
    const saved = process.env.DEMO_DELAY_MS;
    afterEach(() => {
      if (saved === undefined) delete process.env.DEMO_DELAY_MS;
      else process.env.DEMO_DELAY_MS = saved;
    });

    it("reads DEMO_DELAY_MS lazily, defaults to 3 s, and cancels without error", async () => {
      expect(demoAdapter.id).toBe("demo");
      delete process.env.DEMO_DELAY_MS;
      expect(await demoAdapter.submit(request(), fakeContext({ t: START }))).toMatchObject({ pollAfterMs: 3000 });
      process.env.DEMO_DELAY_MS = "250";
      expect(await demoAdapter.submit(request(), fakeContext({ t: START }))).toMatchObject({ pollAfterMs: 250 });
      await expect(demoAdapter.cancel!(`demo_${START}`, fakeContext({ t: START }))).resolves.toBeUndefined();
    });
  });
});
