import "server-only";
import sharp from "sharp";
import type { AspectRatioChoice } from "../catalog";
import { AppError } from "../errors";
import type { Size } from "../sizes";
import { type Change, colourMoved } from "./change";
import { type Mask, readMask } from "./mask";
import { decodeUpright, open, type Raw, type Rect, uprightSize } from "./pixels";
import { planRegion, type RegionPlan } from "./plan";

/**
 * Lossless, and fast: on a 12 MP photo level 1 with per-row filters gave 18.7 MB in ~0.56 s,
 * sharp's default (level 6, unfiltered) 24.8 MB in ~0.75 s, level 1 unfiltered 29.7 MB in ~0.43 s.
 */
export const OUTPUT_PNG = { compressionLevel: 1, adaptiveFiltering: true } as const;

/**
 * The crop the provider receives: `rect` of the upright input at the working size, as PNG.
 * Stored, not compressed: it only goes from here to the provider adapter in memory, which
 * re-encodes it for the wire anyway (lib/providers/input-image.ts). Level 1 would cost ~70 ms
 * of CPU for a 1 MP crop (2.1 MB instead of 3.1 MB), and again to inflate it there.
 */
export async function cropForProvider(input: Buffer, rect: Rect, size: Size): Promise<Buffer> {
  return open(input)
    .extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height })
    .resize(size.width, size.height, { fit: "fill" })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** Everything up to the provider call: the mask read, the crop planned and made. */
export async function prepareRegionEdit(
  input: Buffer,
  maskBytes: Buffer,
  allowed: readonly AspectRatioChoice[],
): Promise<{ mask: Mask; plan: RegionPlan; crop: Buffer }> {
  const mask = await readMask(maskBytes, await uprightSize(input));
  const plan = planRegion(mask.bounds, mask, allowed);
  return { mask, plan, crop: await cropForProvider(input, plan.rect, plan.size) };
}

/**
 * The provider's result scaled back into `rect` and blended into the upright input with the
 * mask as alpha, as PNG the input's size. Where the mask is 0 every decoded byte (alpha too)
 * is the input's: the blend is integer arithmetic on raw pixels that leaves those bytes
 * alone, since sharp's own composite() can move half-transparent pixels by one.
 */
export async function compositeRegion(
  input: Buffer,
  result: Buffer,
  mask: Mask,
  rect: Rect,
): Promise<{ png: Buffer; change: Change }> {
  if (rect.x < 0 || rect.y < 0 || rect.x + rect.width > mask.width || rect.y + rect.height > mask.height) {
    throw new Error(`Region ${JSON.stringify(rect)} is outside the ${mask.width} × ${mask.height} mask`);
  }
  // Only the painted part of the rect takes the result; the rest of it is the input anyway.
  const area = intersect(mask.bounds, rect);
  // Decoding the input and scaling the result at once uses both cores of a small server.
  const [base, patch] = await Promise.all([decodeUpright(open(input)), area && scaledResult(result, rect, area)]);
  const { data, width, height, channels } = base;
  if (width !== mask.width || height !== mask.height) throw new AppError("mask_mismatch", "The mask is not the size of the image.");
  const changed = area && patch ? blend(base, patch, mask.data, area) : 0;
  const png = await sharp(data, { raw: { width, height, channels } }).png(OUTPUT_PNG).toBuffer();
  // Outside the mask nothing was written, so nothing there can have moved.
  return { png, change: { fraction: changed / (width * height), outsideMask: 0 } };
}

/**
 * The result scaled to the whole `rect` (so it lines up with the crop sent), of which libvips
 * computes only `area`, the part extracted after the resize: ~¼ of the rect for a painted
 * ellipse with its context around it. 3 channels, or 4 when the result has transparency.
 */
function scaledResult(result: Buffer, rect: Rect, area: Rect): Promise<Raw> {
  const part = { left: area.x - rect.x, top: area.y - rect.y, width: area.width, height: area.height };
  return decodeUpright(open(result).resize(rect.width, rect.height, { fit: "fill" }).extract(part));
}

/** Blends `patch` (the result over `area`) into `base` in place; returns how many pixels visibly moved. */
function blend(base: Raw, patch: Raw, weights: Uint8Array, area: Rect): number {
  const { data, width, channels } = base;
  const { data: res, channels: rc } = patch;
  // Called through a local: transpilers turn an imported function into a property read on a
  // module object (a getter, even) at every call, which took this loop from ~35 to ~140 ms at 12 MP.
  const moved = colourMoved;
  let changed = 0;
  for (let y = 0; y < area.height; y++) {
    const row = (area.y + y) * width + area.x;
    let r = y * area.width * rc;
    for (let x = 0; x < area.width; x++, r += rc) {
      const m = weights[row + x]!;
      if (m === 0) continue;
      const i = (row + x) * channels;
      const resAlpha = rc === 4 ? res[r + 3]! : 255;
      const r0 = data[i]!;
      const g0 = data[i + 1]!;
      const b0 = data[i + 2]!;
      let a0 = 255;
      let a1 = 255;
      let w = m;
      if (channels === 4) {
        a0 = data[i + 3]!;
        a1 = data[i + 3] = mix(a0, resAlpha, m);
      } else if (resAlpha !== 255) {
        // Without an alpha channel to blend, the result's own alpha thins the mask instead.
        w = mix(0, m, resAlpha);
      }
      const r1 = (data[i] = mix(r0, res[r]!, w));
      const g1 = (data[i + 1] = mix(g0, res[r + 1]!, w));
      const b1 = (data[i + 2] = mix(b0, res[r + 2]!, w));
      if (moved(r0, g0, b0, a0, r1, g1, b1, a1)) changed++;
    }
  }
  return changed;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/**
 * a + (b − a)·w/255, rounded to nearest, in integers: w = 0 gives a, w = 255 gives b, exactly.
 * (x + (x >> 8)) >> 8 is x / 255 rounded for every x up to 255·255 + 128.
 */
export function mix(a: number, b: number, w: number): number {
  const x = a * (255 - w) + b * w + 128;
  return (x + (x >> 8)) >> 8;
}

/** Our whole side of a region edit, for the bench: read mask, plan, crop, then scale back, blend, encode. */
export async function regionEditLocal(
  input: Buffer,
  result: Buffer,
  maskBytes: Buffer,
  allowed: readonly AspectRatioChoice[],
): Promise<{ plan: RegionPlan; crop: Buffer; png: Buffer; change: Change }> {
  const { mask, plan, crop } = await prepareRegionEdit(input, maskBytes, allowed);
  const { png, change } = await compositeRegion(input, result, mask, plan.rect);
  return { plan, crop, png, change };
}
