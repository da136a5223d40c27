import { type AspectRatio, type AspectRatioChoice, MATCH_INPUT } from "../catalog";
import { kontextSize, ratioValue, type Size } from "../sizes";
import type { Rect } from "./pixels";

/** Context around the painted box on each side, as a share of the box's longer side… */
export const CONTEXT_FRACTION = 0.35;
/** …but at least this many pixels, so a thin stroke still shows its surroundings. */
export const MIN_CONTEXT_PX = 32;
/**
 * The smallest long side of the crop (where the image allows): below it the model would get a
 * few dozen pixels blown up ~15×, too little to see what it is editing; 256 px is still 4×
 * more detail than the whole frame at 1 MP gives a 4000 px photo.
 */
export const MIN_CROP_SIDE = 256;

/** What is sent: `rect` of the input, resized to `size`, the working size of `ratio`. */
export type RegionPlan = { rect: Rect; ratio: AspectRatio; size: Size };

/**
 * The crop for a region edit: the painted box plus context, grown to the allowed ratio that
 * fits it best, moved (never cut) to stay inside the image. Where no allowed ratio can hold the
 * painted box inside the image (a whole-image mask, say), the crop is the painted box grown
 * toward the closest ratio and is resized to the working size slightly out of proportion;
 * scaling back undoes that.
 */
export function planRegion(
  painted: Rect,
  image: Size,
  allowed: readonly AspectRatioChoice[],
  workingSize: (ratio: AspectRatio) => Size = kontextSize,
): RegionPlan {
  const margin = Math.max(MIN_CONTEXT_PX, Math.ceil(CONTEXT_FRACTION * Math.max(painted.width, painted.height)));
  const withContext = { width: painted.width + 2 * margin, height: painted.height + 2 * margin };
  // Grown in proportion, so the painted shape still picks the ratio.
  const grow = Math.max(1, MIN_CROP_SIDE / Math.max(withContext.width, withContext.height));
  // Context beyond an edge does not exist; the crop makes it up on the other side instead.
  const wanted = {
    width: Math.min(image.width, withContext.width * grow),
    height: Math.min(image.height, withContext.height * grow),
  };
  const ratios = allowed.filter((r): r is AspectRatio => r !== MATCH_INPUT);
  let best: { ratio: AspectRatio; width: number; height: number; distortion: number; misfit: number } | null = null;
  for (const ratio of ratios.length > 0 ? ratios : (["1:1"] as const)) {
    const r = ratioValue(ratio);
    let width = Math.max(wanted.width, wanted.height * r);
    let height = width / r;
    if (width > image.width) [width, height] = [image.width, image.width / r];
    if (height > image.height) [width, height] = [image.height * r, image.height];
    width = clamp(Math.round(width), painted.width, image.width);
    height = clamp(Math.round(height), painted.height, image.height);
    const candidate = {
      ratio,
      width,
      height,
      distortion: Math.abs(Math.log(width / height / r)),
      // How much larger than the wanted box the crop of this ratio is (log scale): less is more detail.
      misfit: Math.abs(Math.log(r) - Math.log(wanted.width / wanted.height)),
    };
    if (!best || better(candidate, best)) best = candidate;
  }
  const { ratio, width, height } = best!;
  const x = clamp(Math.round(painted.x + painted.width / 2 - width / 2), 0, image.width - width);
  const y = clamp(Math.round(painted.y + painted.height / 2 - height / 2), 0, image.height - height);
  return { rect: { x, y, width, height }, ratio, size: workingSize(ratio) };
}

type Candidate = { width: number; height: number; distortion: number; misfit: number };

/** A crop in true proportion beats a distorted one; then the one closest to the wanted box. */
function better(a: Candidate, b: Candidate): boolean {
  const aTrue = a.distortion <= roundingSlack(a);
  const bTrue = b.distortion <= roundingSlack(b);
  if (aTrue !== bTrue) return aTrue;
  if (!aTrue) return a.distortion < b.distortion;
  return a.misfit < b.misfit;
}

/** Whole pixels cannot hit a ratio exactly: half a pixel on each side is still "in proportion". */
function roundingSlack({ width, height }: { width: number; height: number }): number {
  return 0.5 / width + 0.5 / height + 1e-9;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
