import "server-only";
import sharp from "sharp";
import type { Mask } from "./mask";
import { decodeUpright, open, type Raw } from "./pixels";

/**
 * A pixel "changed" when its colour moved by more than this "redmean" distance, a cheap
 * perceptual weighting of the sRGB difference (https://www.compuphase.com/cmetric.htm):
 * √((2 + r̄/256)·ΔR² + 4·ΔG² + (2 + (255 − r̄)/256)·ΔB²). 48 is a shift of 16 levels on every
 * channel, 24 on green alone, about 30 on red or blue alone: clearly visible side by side,
 * above JPEG and resampling noise.
 */
export const CHANGE_THRESHOLD = 48;
/** Or when its opacity moved by more than this (of 255). */
export const ALPHA_CHANGE_THRESHOLD = 16;

/**
 * `fraction`: the share of all output pixels that changed. `outsideMask`: the share of the
 * pixels outside the mask (value 0) that changed; null for an edit without a mask.
 */
export type Change = { fraction: number; outsideMask: number | null };

// Everything ×512 so the redmean weights are whole numbers.
const LIMIT = CHANGE_THRESHOLD * CHANGE_THRESHOLD * 512;

/** Whether a pixel visibly moved from (r1, g1, b1, a1) to (r2, g2, b2, a2); opaque is alpha 255. */
export function colourMoved(r1: number, g1: number, b1: number, a1: number, r2: number, g2: number, b2: number, a2: number): boolean {
  if (Math.abs(a1 - a2) > ALPHA_CHANGE_THRESHOLD) return true;
  // A colour nobody can see has not visibly moved.
  if (a1 === 0 && a2 === 0) return false;
  const dr = r1 - r2;
  const dg = g1 - g2;
  const db = b1 - b2;
  const rsum = r1 + r2;
  return (1024 + rsum) * dr * dr + 2048 * dg * dg + (1534 - rsum) * db * db > LIMIT;
}

/**
 * How much an edit changed: the output against the input scaled to the output's size. The
 * mask (at the input's size) is scaled the same way; a scaled mask value 0 is "outside".
 */
export async function measureChange(input: Buffer, output: Buffer, mask: Mask | null): Promise<Change> {
  const out = await decodeUpright(open(output));
  const inp = await decodeUpright(open(input).resize(out.width, out.height, { fit: "fill" }));
  const maskData = mask ? await scaleMask(mask, out.width, out.height) : null;
  return countChanges(inp, out, maskData);
}

function countChanges(a: Raw, b: Raw, mask: Uint8Array | null): Change {
  const pixels = a.width * a.height;
  let changed = 0;
  let outside = 0;
  let changedOutside = 0;
  const { data: x, channels: ac } = a;
  const { data: y, channels: bc } = b;
  for (let p = 0; p < pixels; p++) {
    const i = p * ac;
    const j = p * bc;
    // No alpha reads as opaque.
    const moved = colourMoved(x[i]!, x[i + 1]!, x[i + 2]!, ac === 4 ? x[i + 3]! : 255, y[j]!, y[j + 1]!, y[j + 2]!, bc === 4 ? y[j + 3]! : 255);
    if (moved) changed++;
    if (mask && mask[p] === 0) {
      outside++;
      if (moved) changedOutside++;
    }
  }
  return { fraction: changed / pixels, outsideMask: mask ? (outside === 0 ? 0 : changedOutside / outside) : null };
}

async function scaleMask(mask: Mask, width: number, height: number): Promise<Uint8Array> {
  if (mask.width === width && mask.height === height) return mask.data;
  const raw = { width: mask.width, height: mask.height, channels: 1 as const };
  return sharp(mask.data, { raw }).resize(width, height, { fit: "fill" }).toColourspace("b-w").raw().toBuffer();
}
