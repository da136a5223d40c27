import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { AppError } from "@/lib/errors";
import { CHANGE_THRESHOLD, measureChange } from "@/lib/region/change";
import { compositeRegion, cropForProvider, mix, prepareRegionEdit, regionEditLocal } from "@/lib/region/composite";
import { readMask } from "@/lib/region/mask";

const KONTEXT = ["match_input", "1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "9:21"] as const;
const MAGENTA = { r: 230, g: 20, b: 200 };

/** Deterministic grain (xorshift), so neighbouring pixels differ and any shift shows. */
function noise(length: number, seed = 1): Buffer {
  const data = Buffer.alloc(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = s & 0xff;
  }
  return data;
}

type Shape = (x: number, y: number) => number;

const rawImage = (data: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4) => sharp(data, { raw: { width, height, channels } });

function shapeValues(width: number, height: number, shape: Shape): Uint8Array {
  const values = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values[y * width + x] = shape(x, y);
  return values;
}

/** The mask as a user's upload: in the alpha channel (over noise, which must be ignored) or as white on black. */
function maskPng(values: Uint8Array, width: number, height: number, kind: "alpha" | "luminance" | "grey"): Promise<Buffer> {
  if (kind === "grey") return rawImage(Buffer.from(values), width, height, 1).png().toBuffer();
  const channels = kind === "alpha" ? 4 : 3;
  const data = kind === "alpha" ? noise(width * height * 4, 7) : Buffer.alloc(width * height * 3);
  for (let p = 0; p < values.length; p++) {
    if (kind === "alpha") data[p * 4 + 3] = values[p]!;
    else data.fill(values[p]!, p * 3, p * 3 + 3);
  }
  return rawImage(data, width, height, channels).png().toBuffer();
}

async function decode(bytes: Buffer) {
  const { data, info } = await sharp(bytes).autoOrient().raw().toBuffer({ resolveWithObject: true });
  return { data, ...info };
}

/** A provider answering at the working size with one flat colour. */
const flat = (width: number, height: number, background = MAGENTA) => sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();

/**
 * Runs a whole region edit and checks the guarantee: same size, PNG, every pixel where the mask
 * is 0 identical to the input in every channel; where it is 255, the provider's colour.
 */
async function editAndCheck(input: Buffer, values: Uint8Array, kind: "alpha" | "luminance" | "grey" = "alpha") {
  const before = await decode(input);
  const maskBytes = await maskPng(values, before.width, before.height, kind);
  const { mask, plan, crop } = await prepareRegionEdit(input, maskBytes, KONTEXT);
  const cropMeta = await sharp(crop).metadata();
  expect([cropMeta.width, cropMeta.height]).toEqual([plan.size.width, plan.size.height]);
  const { png, change } = await compositeRegion(input, await flat(plan.size.width, plan.size.height), mask, plan.rect);

  const meta = await sharp(png).metadata();
  expect(meta.format).toBe("png");
  const after = await decode(png);
  expect([after.width, after.height, after.channels]).toEqual([before.width, before.height, before.channels]);
  const c = before.channels;
  let keptWrong = 0;
  let paintedWrong = 0;
  let painted = 0;
  for (let p = 0; p < values.length; p++) {
    const i = p * c;
    if (values[p] === 0) {
      for (let k = 0; k < c; k++) if (after.data[i + k] !== before.data[i + k]) keptWrong++;
    } else if (values[p] === 255) {
      painted++;
      const want = [MAGENTA.r, MAGENTA.g, MAGENTA.b, 255];
      for (let k = 0; k < c; k++) if (after.data[i + k] !== want[k]) paintedWrong++;
    }
  }
  expect(keptWrong).toBe(0);
  expect(paintedWrong).toBe(0);
  expect(change.outsideMask).toBe(0);
  return { before, after, plan, change, painted, mask, png };
}

const rgbPng = (width: number, height: number, seed = 1) => rawImage(noise(width * height * 3, seed), width, height, 3).png().toBuffer();
const box = (x0: number, y0: number, x1: number, y1: number): Shape => (x, y) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? 255 : 0);

describe("region edits keep every unpainted pixel", () => {
  it("at an odd size, with an elliptic region", async () => {
    const [w, h] = [333, 517];
    const values = shapeValues(w, h, (x, y) => (((x - 170) / 60) ** 2 + ((y - 260) / 90) ** 2 <= 1 ? 255 : 0));
    const { plan, change, painted } = await editAndCheck(await rgbPng(w, h), values);
    expect(plan.rect.x + plan.rect.width).toBeLessThanOrEqual(w);
    expect(painted).toBeGreaterThan(10_000);
    expect(change.fraction).toBeGreaterThan(0.05);
  });

  it("with regions touching each border and a corner", async () => {
    const [w, h] = [401, 299];
    const input = await rgbPng(w, h, 3);
    for (const shape of [box(0, 100, 30, 160), box(370, 100, 401, 160), box(150, 0, 200, 20), box(150, 280, 200, 299), box(380, 280, 401, 299)]) {
      const { plan } = await editAndCheck(input, shapeValues(w, h, shape));
      expect(plan.rect.x).toBeGreaterThanOrEqual(0);
      expect(plan.rect.y + plan.rect.height).toBeLessThanOrEqual(h);
    }
  });

  it("for a 3 × 3 px region, sent with context at the working size", async () => {
    const [w, h] = [1200, 900];
    const { plan, after, before } = await editAndCheck(await rgbPng(w, h, 5), shapeValues(w, h, box(600, 450, 603, 453)));
    expect(plan.rect.width * plan.rect.height).toBeLessThan(300 * 300);
    let changed = 0;
    for (let i = 0; i < after.data.length; i++) if (after.data[i] !== before.data[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(9 * 3);
  });

  it("for a mask covering the whole image, which sends the whole image", async () => {
    const [w, h] = [640, 480];
    const { plan, after } = await editAndCheck(await rgbPng(w, h, 9), shapeValues(w, h, () => 255), "luminance");
    expect(plan.rect).toEqual({ x: 0, y: 0, width: w, height: h });
    expect(plan.ratio).toBe("4:3");
    expect(after.data.every((v, i) => v === [MAGENTA.r, MAGENTA.g, MAGENTA.b][i % 3])).toBe(true);
  });

  it("for an RGBA input with half-transparent pixels, alpha included", async () => {
    const [w, h] = [257, 191];
    const data = noise(w * h * 4, 11);
    for (let p = 0; p < w * h; p++) data[p * 4 + 3] = [0, 1, 127, 128, 200, 255][p % 6]!;
    const input = await rawImage(data, w, h, 4).png().toBuffer();
    const { before } = await editAndCheck(input, shapeValues(w, h, box(60, 40, 200, 150)));
    expect(before.channels).toBe(4);
  });

  it("lets a result's transparency show the input through, even where painted", async () => {
    const [w, h] = [160, 120];
    const input = await rgbPng(w, h, 41);
    const values = shapeValues(w, h, () => 255);
    const { mask, plan } = await prepareRegionEdit(input, await maskPng(values, w, h, "luminance"), KONTEXT);
    // Left half opaque magenta, right half fully transparent.
    const result = await sharp({ create: { width: w, height: h, channels: 4, background: { ...MAGENTA, alpha: 0 } } })
      .composite([{ input: { create: { width: w / 2, height: h, channels: 4, background: { ...MAGENTA, alpha: 1 } } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    const { png } = await compositeRegion(input, result, mask, plan.rect);
    const [before, after] = [await decode(input), await decode(png)];
    expect(after.channels).toBe(3);
    let wrong = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        const want = x < w / 2 - 2 ? [MAGENTA.r, MAGENTA.g, MAGENTA.b] : x >= w / 2 + 2 ? [...before.data.subarray(i, i + 3)] : null;
        if (want && want.some((v, k) => after.data[i + k] !== v)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it("for a greyscale input (decoded as RGB, as sharp reads it)", async () => {
    const [w, h] = [211, 149];
    const input = await rawImage(noise(w * h, 13), w, h, 1).png().toBuffer();
    await editAndCheck(input, shapeValues(w, h, box(20, 20, 90, 70)), "grey");
  });

  it("for an EXIF-rotated photo: the mask, the crop and the output are upright", async () => {
    // Stored 300 × 200 with orientation 6: shown, painted and returned as 200 × 300.
    const input = await rawImage(noise(300 * 200 * 3, 17), 300, 200, 3).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    const values = shapeValues(200, 300, box(10, 200, 80, 290));
    const { before } = await editAndCheck(input, values);
    expect([before.width, before.height]).toEqual([200, 300]);
    const rect = { x: 5, y: 180, width: 120, height: 110 };
    const crop = await decode(await cropForProvider(input, rect, { width: 120, height: 110 }));
    const expected = await sharp(input).autoOrient().extract({ left: 5, top: 180, width: 120, height: 110 }).raw().toBuffer();
    expect(crop.data.equals(expected)).toBe(true);
    await expect(readMask(await maskPng(shapeValues(300, 200, box(0, 0, 9, 9)), 300, 200, "alpha"), { width: 200, height: 300 })).rejects.toMatchObject({
      code: "mask_mismatch",
    });
  });

  it("reads the same mask from alpha, from luminance and from a grey PNG", async () => {
    const [w, h] = [180, 120];
    const input = await rgbPng(w, h, 19);
    const values = shapeValues(w, h, (x, y) => (x > 40 && x < 140 && y > 30 && y < 90 ? Math.min(255, (x - 40) * 6) : 0));
    const outputs = [];
    for (const kind of ["alpha", "luminance", "grey"] as const) {
      const mask = await readMask(await maskPng(values, w, h, kind), { width: w, height: h });
      expect(Buffer.from(mask.data).equals(Buffer.from(values))).toBe(true);
      outputs.push((await editAndCheck(input, values, kind)).after.data);
    }
    expect(outputs[0]!.equals(outputs[1]!) && outputs[1]!.equals(outputs[2]!)).toBe(true);
  });

  it("blends a soft edge exactly: input + (result − input) × mask / 255, rounded", async () => {
    const [w, h] = [300, 200];
    const values = shapeValues(w, h, (x, y) => (y >= 50 && y < 150 ? Math.max(0, Math.min(255, x - 20)) : 0));
    const { before, after } = await editAndCheck(await rgbPng(w, h, 23), values);
    let wrong = 0;
    for (let p = 0; p < values.length; p++) {
      const want = [MAGENTA.r, MAGENTA.g, MAGENTA.b];
      for (let k = 0; k < 3; k++) {
        const expected = Math.round(before.data[p * 3 + k]! + ((want[k]! - before.data[p * 3 + k]!) * values[p]!) / 255);
        if (after.data[p * 3 + k] !== expected) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it("puts the answer back where the crop came from, scaled to the crop, also around a painted box off its centre", async () => {
    const [w, h] = [900, 700];
    const input = await rgbPng(w, h, 43);
    // Two painted boxes, so the painted bounds hold unpainted pixels too and sit off the crop's centre.
    const values = shapeValues(w, h, (x, y) => (box(300, 200, 420, 300)(x, y) || box(460, 330, 520, 380)(x, y) ? 255 : 0));
    const { mask, plan } = await prepareRegionEdit(input, await maskPng(values, w, h, "alpha"), KONTEXT);
    // An answer where every pixel differs from its neighbours, so any shift or scale error shows.
    const result = await rgbPng(plan.size.width, plan.size.height, 47);
    const { png } = await compositeRegion(input, result, mask, plan.rect);
    const after = await decode(png);
    const { x: rx, y: ry, width: rw, height: rh } = plan.rect;
    const scaled = await sharp(result).resize(rw, rh, { fit: "fill" }).raw().toBuffer();
    let wrong = 0;
    for (let p = 0; p < values.length; p++) {
      if (values[p] !== 255) continue;
      const [x, y] = [p % w, Math.floor(p / w)];
      const s = ((y - ry) * rw + (x - rx)) * 3;
      for (let k = 0; k < 3; k++) if (after.data[p * 3 + k] !== scaled[s + k]) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it("mixes in integers with m = 0 giving the input and m = 255 the result, for every byte pair", () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        if (mix(a, b, 0) !== a || mix(a, b, 255) !== b) throw new Error(`mix(${a}, ${b})`);
        for (const m of [1, 64, 128, 254]) if (mix(a, b, m) !== Math.round(a + ((b - a) * m) / 255)) throw new Error(`mix(${a}, ${b}, ${m})`);
      }
    }
  });

  it("for a large (24 MP) photo-sized input", { timeout: 180_000 }, async () => {
    const [w, h] = [6000, 4000];
    // Flat colour with a band of grain: quick to make and to encode, yet any shift shows.
    const data = Buffer.alloc(w * h * 3, 90);
    noise(w * 400 * 3, 29).copy(data, w * 1800 * 3);
    const input = await rawImage(data, w, h, 3).jpeg({ quality: 92 }).toBuffer();
    const values = shapeValues(w, h, (x, y) => (((x - 3000) / 700) ** 2 + ((y - 2000) / 300) ** 2 <= 1 ? 255 : 0));
    const { plan } = await editAndCheck(input, values);
    expect(plan.rect.width).toBeLessThan(w);
  });
});

describe("refused masks", () => {
  it("refuses a mask of another size with mask_mismatch", async () => {
    const input = await rgbPng(100, 80);
    const mask = await maskPng(shapeValues(101, 80, () => 255), 101, 80, "luminance");
    await expect(prepareRegionEdit(input, mask, KONTEXT)).rejects.toMatchObject({ code: "mask_mismatch" });
  });

  it("refuses an empty mask (all black, or fully transparent over white) as invalid_request", async () => {
    const input = await rgbPng(100, 80);
    const black = await maskPng(new Uint8Array(100 * 80), 100, 80, "luminance");
    const clear = await sharp({ create: { width: 100, height: 80, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } }).png().toBuffer();
    for (const mask of [black, clear]) {
      const error = await prepareRegionEdit(input, mask, KONTEXT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "invalid_request", message: "The painted region is empty" });
    }
  });

  it("refuses a mask that is not an image", async () => {
    await expect(readMask(Buffer.from("not a png"), { width: 10, height: 10 })).rejects.toMatchObject({ code: "invalid_image" });
  });
});

describe("how much an edit changed", () => {
  const [w, h] = [200, 160];

  it("is 0 for an identical image, and ignores moves below the threshold", async () => {
    const data = noise(w * h * 3, 31);
    const input = await rawImage(data, w, h, 3).png().toBuffer();
    expect(await measureChange(input, input, null)).toEqual({ fraction: 0, outsideMask: null });
    // A uniform shift of 10 levels on every channel stays below 48; 20 is above it.
    const shifted = (by: number) => rawImage(Buffer.from(data.map((v) => Math.min(255, v + by))), w, h, 3).png().toBuffer();
    expect((await measureChange(input, await shifted(0), null)).fraction).toBe(0);
    const low = await measureChange(input, await shifted(10), null);
    expect(low.fraction).toBe(0);
    expect(CHANGE_THRESHOLD).toBe(48);
    expect((await measureChange(input, await shifted(20), null)).fraction).toBeGreaterThan(0.8);
  });

  it("is about 0.25 when one quadrant changed, also against a smaller output", async () => {
    const data = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(x < w / 2 && y < h / 2 ? 40 : 160, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const before = Buffer.alloc(w * h * 3, 160);
    const input = await rawImage(before, w, h, 3).png().toBuffer();
    const output = await rawImage(data, w, h, 3).png().toBuffer();
    expect((await measureChange(input, output, null)).fraction).toBe(0.25);
    const small = await rawImage(data, w, h, 3).resize(100, 80).png().toBuffer();
    expect((await measureChange(input, small, null)).fraction).toBeCloseTo(0.25, 1);
  });

  it("counts nothing outside the mask for a region edit, and agrees with the composite's own count", async () => {
    const input = await rgbPng(w, h, 37);
    const values = shapeValues(w, h, box(20, 20, 120, 100));
    const maskBytes = await maskPng(values, w, h, "alpha");
    const { plan, png, change } = await regionEditLocal(input, await flat(1024, 1024), maskBytes, KONTEXT);
    const mask = await readMask(maskBytes, { width: w, height: h });
    const measured = await measureChange(input, png, mask);
    expect(measured.outsideMask).toBe(0);
    expect(measured).toEqual(change);
    expect(measured.fraction).toBeGreaterThan(0.2);
    expect(plan.rect.width).toBeGreaterThan(0);
  });
});
