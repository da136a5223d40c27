import { ASPECT_RATIOS, type AspectRatio, type AspectRatioChoice, MATCH_INPUT } from "./catalog";

export type Size = { width: number; height: number };

/** Black Forest Labs' published Kontext output sizes (about 1 MP, sides multiples of 16). */
const KONTEXT_SIZES: Partial<Record<AspectRatio, Size>> = {
  "1:1": { width: 1024, height: 1024 },
  "4:3": { width: 1184, height: 880 },
  "3:2": { width: 1248, height: 832 },
  "16:9": { width: 1392, height: 752 },
  "21:9": { width: 1568, height: 672 },
};

export function ratioValue(ratio: AspectRatio): number {
  const [w, h] = ratio.split(":").map(Number) as [number, number];
  return w / h;
}

/** The Kontext output size for a ratio; portrait ratios swap the landscape sides. */
export function kontextSize(ratio: AspectRatio): Size {
  const known = KONTEXT_SIZES[ratio];
  if (known) return known;
  const [w, h] = ratio.split(":").map(Number) as [number, number];
  const swapped = KONTEXT_SIZES[`${h}:${w}` as AspectRatio];
  if (swapped) return { width: swapped.height, height: swapped.width };
  // Ratios BFL does not list (4:5, 2:1, …): about one megapixel, sides multiples of 16.
  const r = w / h;
  const width = Math.round(Math.sqrt(1024 * 1024 * r) / 16) * 16;
  return { width, height: Math.round(width / r / 16) * 16 };
}

/** The ratio among `allowed` closest to width/height, compared on a log scale. */
export function nearestRatio(
  width: number,
  height: number,
  allowed: readonly AspectRatioChoice[] = ASPECT_RATIOS,
): AspectRatio {
  const target = Math.log(width / height);
  let best: AspectRatio = "1:1";
  let bestDistance = Infinity;
  for (const choice of allowed) {
    if (choice === MATCH_INPUT) continue;
    const distance = Math.abs(Math.log(ratioValue(choice)) - target);
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  return best;
}

/** Resolves "match input" against the first input image (1:1 when there is none). */
export function resolveRatio(
  choice: AspectRatioChoice,
  input: Size | undefined,
  allowed: readonly AspectRatioChoice[] = ASPECT_RATIOS,
): AspectRatio {
  if (choice !== MATCH_INPUT) return choice;
  return input ? nearestRatio(input.width, input.height, allowed) : "1:1";
}
