import type { CompareImage } from "./hooks";
import { loadImage, maskCoverage } from "./mask-pixels";

/** Work at most this many pixels on the long side: sharp enough, and ~20 ms per pass. */
const MAX_SIDE = 2048;
/** A channel difference above this counts as "changed" (out of 255), past JPEG-like noise. */
const THRESHOLD = 12;

export type DiffStyle = "overlay" | "raw";

/**
 * Both images (and a region edit's mask) at one size, each contained like on screen.
 * `region`: per pixel, whether the mask paints it; null without a mask.
 */
export type Pixels = { a: Uint8ClampedArray; b: Uint8ClampedArray; region: Uint8Array | null; width: number; height: number };

/** What a pass counted: the share of compared pixels in scope that changed, and of those outside the region. */
export type DiffCounts = { changed: number; changedOutside: number | null };

/**
 * Reads both images, and the mask when there is one. The mask has the masked job's input size,
 * not the displayed one: contained in the same canvas, it lands on its image like the tint does.
 */
export async function readPixels(a: CompareImage, b: CompareImage, maskUrl: string | null): Promise<Pixels> {
  const [imgA, imgB, imgMask] = await Promise.all([loadImage(a.url), loadImage(b.url), maskUrl ? loadImage(maskUrl) : null]);
  const k = Math.min(1, MAX_SIDE / Math.max(b.width, b.height));
  const width = Math.max(1, Math.round(b.width * k));
  const height = Math.max(1, Math.round(b.height * k));
  const read = (image: HTMLImageElement, w: number, h: number) => {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("Canvas is not available");
    const fit = Math.min(width / w, height / h);
    const dw = w * fit;
    const dh = h * fit;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(image, (width - dw) / 2, (height - dh) / 2, dw, dh);
    return ctx.getImageData(0, 0, width, height).data;
  };
  return {
    a: read(imgA, a.width, a.height),
    b: read(imgB, b.width, b.height),
    region: imgMask ? regionOf(read(imgMask, imgMask.naturalWidth, imgMask.naturalHeight)) : null,
    width,
    height,
  };
}

/** Painted or not, per pixel: any strength (past rounding) counts, as on the server. */
function regionOf(mask: Uint8ClampedArray): Uint8Array {
  const region = new Uint8Array(mask.length / 4);
  for (let p = 0, i = 0; p < region.length; p++, i += 4) region[p] = maskCoverage(mask, i) >= 128 ? 1 : 0;
  return region;
}

/**
 * |a − b| amplified into `out` (RGBA, the pixels' size). With `inRegion`, pixels outside the
 * painted region show as unchanged and dimmed, whatever moved there, and are counted apart.
 */
export function paint(pixels: Pixels, out: Uint8ClampedArray, gain: number, style: DiffStyle, inRegion: boolean): DiffCounts {
  const { a, b } = pixels;
  const region = inRegion ? pixels.region : null;
  let changed = 0;
  let compared = 0;
  let changedOutside = 0;
  let comparedOutside = 0;
  for (let i = 0; i < out.length; i += 4) {
    out[i + 3] = 255;
    if (a[i + 3]! < 8 || b[i + 3]! < 8) {
      // Letterbox: one image does not cover this spot, so there is nothing to compare.
      out[i] = 24;
      out[i + 1] = 24;
      out[i + 2] = 27;
      continue;
    }
    const dr = Math.abs(a[i]! - b[i]!);
    const dg = Math.abs(a[i + 1]! - b[i + 1]!);
    const db = Math.abs(a[i + 2]! - b[i + 2]!);
    const d = Math.max(dr, dg, db);
    // The "after" image as a dim grey: what unchanged pixels look like.
    const grey = (b[i]! * 0.299 + b[i + 1]! * 0.587 + b[i + 2]! * 0.114) * 0.28 + 8;
    if (region && region[i / 4] === 0) {
      comparedOutside++;
      if (d > THRESHOLD) changedOutside++;
      const dim = style === "raw" ? 0 : grey * 0.5;
      out[i] = dim;
      out[i + 1] = dim;
      out[i + 2] = dim;
      continue;
    }
    compared++;
    if (d > THRESHOLD) changed++;
    if (style === "raw") {
      out[i] = dr * gain;
      out[i + 1] = dg * gain;
      out[i + 2] = db * gain;
    } else {
      // Changes glow from red to amber over the grey.
      const t = Math.min(1, (d * gain) / 255);
      const r = 239 + (252 - 239) * t;
      const g = 68 + (211 - 68) * t;
      const bl = 68 + (77 - 68) * t;
      const w = d > 2 ? Math.min(1, t * 1.6) : 0;
      out[i] = grey + (r - grey) * w;
      out[i + 1] = grey + (g - grey) * w;
      out[i + 2] = grey + (bl - grey) * w;
    }
  }
  return {
    changed: compared === 0 ? 0 : changed / compared,
    changedOutside: region ? (comparedOutside === 0 ? 0 : changedOutside / comparedOutside) : null,
  };
}
