import "server-only";
import { createHash } from "node:crypto";
import sharp, { type Matrix3x3, type Sharp } from "sharp";
import type { AspectRatio } from "../catalog";
import { kontextSize } from "../sizes";

/**
 * The offline demo engine: procedural abstract art for "generate" and keyword-picked
 * filters for "edit". It is deliberately not AI. Everything derives from a hash of the
 * prompt and seed, so a recipe always reproduces the same bytes.
 */

export type DemoInput = { bytes: Buffer; width: number; height: number };
export type DemoOutput = { bytes: Buffer; mime: "image/jpeg"; width: number; height: number };

type Rgb = [number, number, number];
/** Packed 3-channel 8-bit pixels, the format every stage below exchanges with sharp. */
type Raw = { data: Buffer; width: number; height: number };

export async function renderDemo(opts: {
  prompt: string;
  seed: number;
  ratio: AspectRatio;
  input?: DemoInput;
}): Promise<DemoOutput> {
  const { width, height } = kontextSize(opts.ratio);
  const rng = recipeRng(opts.prompt, opts.seed);
  const raw = opts.input
    ? await editPixels(opts.input, opts.prompt, width, height, rng)
    : await generatePixels(width, height, rng);
  const bytes = await sharp(raw.data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return { bytes, mime: "image/jpeg", width, height };
}

// ---------- randomness ----------

type Rng = () => number;

/** mulberry32: tiny, fast and good enough for pictures; seeded from the recipe's hash. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function recipeRng(prompt: string, seed: number): Rng {
  // The NUL separator keeps ("a1", 2) and ("a", 12) apart.
  const digest = createHash("sha256").update(`${prompt}\u0000${seed}`).digest();
  return mulberry32(digest.readUInt32LE(0) ^ digest.readUInt32LE(4));
}

const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

function hsl(h: number, s: number, l: number): Rgb {
  const hue = ((h % 360) + 360) % 360;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] =
    hue < 60 ? [c, x, 0] : hue < 120 ? [x, c, 0] : hue < 180 ? [0, c, x]
    : hue < 240 ? [0, x, c] : hue < 300 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

// ---------- generate ----------

/** Soft blobs are smooth, so they are drawn on a quarter-size grid and upscaled by sharp. */
const GRID_SCALE = 4;
const GRAIN = 7;

async function generatePixels(width: number, height: number, rng: Rng): Promise<Raw> {
  const gw = Math.ceil(width / GRID_SCALE);
  const gh = Math.ceil(height / GRID_SCALE);

  // A harmony (analogous, triadic or complementary) around one base hue reads as designed.
  const baseHue = rng() * 360;
  const spread = [30, 120, 180][Math.floor(rng() * 3)] ?? 30;
  const hues = [0, spread, -spread, spread / 2, -spread / 2].map((o) => baseHue + o);
  const dark = rng() < 0.5;
  const bgA = hsl(baseHue + 200, between(rng, 0.3, 0.6), dark ? between(rng, 0.08, 0.2) : between(rng, 0.8, 0.9));
  const bgB = hsl(baseHue + 160, between(rng, 0.3, 0.6), dark ? between(rng, 0.2, 0.32) : between(rng, 0.65, 0.78));
  const angle = rng() * Math.PI * 2;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];

  // Blob geometry lives in short-side units so blobs stay round at every ratio.
  const aspect = width / height;
  const [spanX, spanY] = aspect >= 1 ? [aspect, 1] : [1, 1 / aspect];
  const blobs = Array.from({ length: 5 + Math.floor(rng() * 4) }, () => ({
    x: between(rng, -0.1, 1.1) * spanX,
    y: between(rng, -0.1, 1.1) * spanY,
    inv2s2: 1 / (2 * between(rng, 0.1, 0.32) ** 2),
    alpha: between(rng, 0.55, 0.9),
    colour: hsl(hues[Math.floor(rng() * hues.length)] ?? baseHue, between(rng, 0.55, 0.9), between(rng, 0.45, 0.68)),
  }));

  const grid = Buffer.alloc(gw * gh * 3);
  for (let j = 0; j < gh; j++) {
    const v = (j + 0.5) / gh;
    for (let i = 0; i < gw; i++) {
      const u = (i + 0.5) / gw;
      const t = Math.min(1, Math.max(0, 0.5 + ((u - 0.5) * dx + (v - 0.5) * dy)));
      let r = bgA[0] + (bgB[0] - bgA[0]) * t;
      let g = bgA[1] + (bgB[1] - bgA[1]) * t;
      let b = bgA[2] + (bgB[2] - bgA[2]) * t;
      const px = u * spanX;
      const py = v * spanY;
      for (const blob of blobs) {
        const d2 = (px - blob.x) ** 2 + (py - blob.y) ** 2;
        const w = blob.alpha * Math.exp(-d2 * blob.inv2s2);
        r += (blob.colour[0] - r) * w;
        g += (blob.colour[1] - g) * w;
        b += (blob.colour[2] - b) * w;
      }
      // A gentle vignette keeps the eye in the middle.
      const shade = 1 - 0.25 * ((u - 0.5) ** 2 + (v - 0.5) ** 2);
      const k = (j * gw + i) * 3;
      grid[k] = r * shade;
      grid[k + 1] = g * shade;
      grid[k + 2] = b * shade;
    }
  }

  const data = await sharp(grid, { raw: { width: gw, height: gh, channels: 3 } })
    .resize(width, height, { fit: "fill", kernel: "cubic" })
    .raw()
    .toBuffer();
  // Monochrome film grain hides upscaling banding. Clamp: typed arrays wrap, they do not saturate.
  for (let k = 0; k < data.length; k += 3) {
    const n = (rng() - 0.5) * 2 * GRAIN;
    data[k] = clamp(data[k]! + n);
    data[k + 1] = clamp(data[k + 1]! + n);
    data[k + 2] = clamp(data[k + 2]! + n);
  }
  return { data, width, height };
}

const clamp = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x);

// ---------- edit ----------

/** One sharp pass on raw pixels; chaining passes keeps the order explicit (sharp reorders ops within one pipeline). */
async function pass(img: Raw, op: (s: Sharp) => Sharp): Promise<Raw> {
  const data = await op(sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }))
    .removeAlpha()
    .raw()
    .toBuffer();
  return { ...img, data };
}

const LUMA: Rgb = [0.299, 0.587, 0.114];
const GREY_MATRIX: Matrix3x3 = [LUMA, LUMA, LUMA];
const SEPIA_MATRIX: Matrix3x3 = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
];

/** Blends every pixel toward a colour: out = in·(1−t) + colour·t. */
const tint = (colour: Rgb, t: number) => (s: Sharp) => s.linear([1 - t, 1 - t, 1 - t], colour.map((c) => c * t));

type Effect = { name: string; pattern: RegExp; apply: (img: Raw, rng: Rng) => Promise<Raw> };

/** First match wins, so the order settles prompts that name two effects. */
const EFFECTS: Effect[] = [
  {
    name: "sketch",
    pattern: /\b(sketch\w*|pencil|drawing)\b/i,
    apply: async (img, rng) => {
      // Colour-dodge pencil sketch: grey ÷ blurred grey is ~1 on flat areas (white paper) and
      // dips below 1 beside edges. It reads far more like pencil than a bare edge kernel,
      // which mostly finds JPEG noise and grain.
      const grey = await pass(img, (s) => s.recomb(GREY_MATRIX));
      const soft = await pass(grey, (s) => s.blur(between(rng, 3, 6)));
      const darkness = between(rng, 2, 3.5);
      const data = Buffer.alloc(grey.data.length);
      for (let k = 0; k < data.length; k++) {
        const ratio = Math.min(1, (grey.data[k]! + 1) / (soft.data[k]! + 1));
        data[k] = 245 * ratio ** darkness; // paper is never pure white
      }
      return { ...img, data };
    },
  },
  {
    name: "greyscale",
    pattern: /\b(black and white|black & white|b&w|monochrome|gr[ae]yscale)\b/i,
    apply: (img, rng) => pass(img, (s) => s.recomb(GREY_MATRIX).linear(between(rng, 1.05, 1.2), between(rng, -20, -8))),
  },
  {
    name: "sepia",
    pattern: /\b(sepia|vintage|old|retro|antique)\b/i,
    apply: (img, rng) => pass(img, (s) => s.recomb(SEPIA_MATRIX).linear(between(rng, 0.85, 0.95), between(rng, 4, 16))),
  },
  {
    name: "invert",
    pattern: /\b(invert\w*|negative)\b/i,
    apply: (img, rng) => pass(img, (s) => s.negate().modulate({ hue: Math.round(between(rng, -12, 12)) })),
  },
  {
    name: "dream",
    pattern: /\b(blur\w*|soft|dream\w*)\b/i,
    // Blur alone barely changes smooth pictures, so it also lifts the shadows like a glow.
    apply: (img, rng) => pass(img, (s) => s.blur(between(rng, 6, 10)).linear(0.75, between(rng, 45, 65))),
  },
  {
    name: "watercolor",
    pattern: /\b(water\s?colou?r|paint\w*|oil)\b/i,
    apply: async (img, rng) => {
      const flat = await pass(img, (s) => s.median(7));
      return pass(flat, (s) => s.modulate({ saturation: between(rng, 1.6, 2), brightness: 1.08 }));
    },
  },
  {
    name: "warm",
    pattern: /\b(warm\w*|sunset|golden|summer)\b/i,
    apply: (img, rng) => pass(img, tint([255, 150, 40], between(rng, 0.25, 0.35))),
  },
  {
    name: "cool",
    pattern: /\b(cold|cool|night|winter|blue|ice|icy)\b/i,
    apply: (img, rng) => pass(img, tint([30, 90, 220], between(rng, 0.25, 0.35))),
  },
  {
    name: "poster",
    pattern: /\b(cartoon|comic|poster\w*|pop)\b/i,
    apply: async (img, rng) => {
      const punchy = await pass(img, (s) => s.modulate({ saturation: 2.2 }).linear(1.5, -60));
      return posterise(punchy, 3 + Math.floor(rng() * 3));
    },
  },
];

/** Everything else still visibly changes: the prompt and seed pick a hue turn and a tint. */
const fallback = async (img: Raw, rng: Rng) => {
  const hue = Math.round(between(rng, 60, 300));
  const colour = hsl(rng() * 360, 0.8, 0.55);
  const rotated = await pass(img, (s) => s.modulate({ hue, saturation: 1.2 }));
  return pass(rotated, tint(colour, between(rng, 0.15, 0.25)));
};

function posterise(img: Raw, levels: number): Raw {
  const step = 255 / (levels - 1);
  const data = Buffer.from(img.data);
  for (let k = 0; k < data.length; k++) data[k] = Math.round(Math.round(data[k]! / step) * step);
  return { ...img, data };
}

/** The effect a prompt asks for, by keyword ("fallback" when none matches); exported for tests and the UI. */
export function demoEffectName(prompt: string): string {
  return EFFECTS.find((e) => e.pattern.test(prompt))?.name ?? "fallback";
}

async function editPixels(input: DemoInput, prompt: string, width: number, height: number, rng: Rng): Promise<Raw> {
  // rotate() first honours EXIF orientation; cover fills the chosen ratio like Kontext does.
  const { data } = await sharp(input.bytes)
    .rotate()
    .resize(width, height, { fit: "cover", position: "centre" })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  const base: Raw = { data, width, height };
  const effect = EFFECTS.find((e) => e.pattern.test(prompt));
  return effect ? effect.apply(base, rng) : fallback(base, rng);
}
