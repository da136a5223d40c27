// Test images made on the spot with sharp: tiny distinct PNGs (the zero-delay fake's
// answers) and photo-like pictures (smooth shapes, gradients, fine grain) whose
// compressed sizes resemble real generations, including a 12 MP JPEG for the upload figure.
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT } from "./util.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
export const sharp = require("sharp");

/** A small PNG, different bytes for every `n` (so the content-addressed store never dedups). */
export async function tinyPng(n, size = 64) {
  const background = { r: (n * 67) % 256, g: (n * 131) % 256, b: (90 + n * 29) % 256 };
  const mark = { r: (n * 13) % 256, g: 255 - ((n * 7) % 256), b: (n * 3) % 256 };
  return sharp({ create: { width: size, height: size, channels: 3, background } })
    .composite([{ input: { create: { width: 8 + (n % 40), height: 8 + ((n >> 3) % 40), channels: 3, background: mark } }, top: n % 16, left: (n >> 4) % 16 }])
    .png()
    .toBuffer();
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth value noise: random values on a grid of `cell` px, bilinearly interpolated. */
function valueNoise(width, height, cell, rand) {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rand() * 2 - 1;
  return (x, y) => {
    const fx = x / cell;
    const fy = y / cell;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const tx = fx - ix;
    const ty = fy - iy;
    const a = grid[iy * gw + ix];
    const b = grid[iy * gw + ix + 1];
    const c = grid[(iy + 1) * gw + ix];
    const d = grid[(iy + 1) * gw + ix + 1];
    return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
  };
}

/**
 * Raw RGB pixels that compress like a photo: a two-colour gradient, soft and hard-edged
 * shapes, texture at several scales (sized relative to the image, so a 512 px thumbnail
 * still sees detail, like foliage or fabric would give) and low-amplitude grain.
 * Not random noise (which no codec shrinks) and not flat colour.
 */
export function photoLikeRaw(width, height, seed) {
  const rand = rng(seed);
  const data = Buffer.alloc(width * height * 3);
  const c0 = [rand() * 255, rand() * 255, rand() * 255];
  const c1 = [rand() * 255, rand() * 255, rand() * 255];
  const blobs = Array.from({ length: 7 }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: (0.08 + rand() * 0.25) * Math.min(width, height),
    c: [rand() * 255, rand() * 255, rand() * 255],
    hard: rand() < 0.4,
  }));
  const unit = Math.max(width, height) / 512; // one thumbnail pixel
  const octaves = [
    { n: valueNoise(width, height, 1.6, rand), amp: unit > 2.5 ? 12 : 4 }, // pixel-level detail, as a camera sensor resolves
    { n: valueNoise(width, height, 2.5 * unit, rand), amp: 10 + rand() * 14 },
    { n: valueNoise(width, height, 7 * unit, rand), amp: 12 + rand() * 16 },
    { n: valueNoise(width, height, 40 * unit, rand), amp: 20 },
  ];
  const freq = 6 + rand() * 10;
  for (let y = 0; y < height; y++) {
    const fy = y / height;
    for (let x = 0; x < width; x++) {
      const fx = x / width;
      const t = (fx + fy) / 2 + 0.08 * Math.sin(fx * freq) * Math.cos(fy * freq * 0.7);
      let r = c0[0] + (c1[0] - c0[0]) * t;
      let g = c0[1] + (c1[1] - c0[1]) * t;
      let b = c0[2] + (c1[2] - c0[2]) * t;
      for (const blob of blobs) {
        const dx = x - blob.x;
        const dy = y - blob.y;
        const d2 = (dx * dx + dy * dy) / (blob.r * blob.r);
        if (d2 < 1) {
          const w = blob.hard ? 0.85 : (1 - d2) * (1 - d2);
          r += (blob.c[0] - r) * w;
          g += (blob.c[1] - g) * w;
          b += (blob.c[2] - b) * w;
        }
      }
      let texture = 0;
      for (const o of octaves) texture += o.n(x, y) * o.amp;
      const grain = (rand() - 0.5) * 6;
      const i = (y * width + x) * 3;
      data[i] = Math.max(0, Math.min(255, r + texture + grain));
      data[i + 1] = Math.max(0, Math.min(255, g + texture * 0.9 + grain));
      data[i + 2] = Math.max(0, Math.min(255, b + texture * 0.8 + grain));
    }
  }
  return data;
}

export function photoLikePng(width, height, seed) {
  return sharp(photoLikeRaw(width, height, seed), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

export function photoLikeJpeg(width, height, seed, quality = 95) {
  return sharp(photoLikeRaw(width, height, seed), { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

/**
 * A region mask as the studio exports it (lib/client/mask.ts): a PNG the input's size, white,
 * the painted blend in alpha. One ellipse covering about `share` of the frame, off centre,
 * with a soft edge `feather` of the short side wide (as the soft brush leaves).
 */
export async function regionMaskPng(width, height, { share = 0.15, feather = 0.02 } = {}) {
  // An ellipse in the frame's proportions: π·k² = share of the frame, before the feather.
  const k = Math.sqrt(share / Math.PI);
  const [cx, cy, rx, ry] = [width * 0.42, height * 0.55, k * width, k * height];
  const band = feather * Math.min(width, height);
  const alpha = Buffer.alloc(width * height);
  let painted = 0;
  for (let y = Math.max(0, Math.floor(cy - ry - band)); y < Math.min(height, Math.ceil(cy + ry + band)); y++) {
    for (let x = Math.max(0, Math.floor(cx - rx - band)); x < Math.min(width, Math.ceil(cx + rx + band)); x++) {
      const d = Math.hypot((x - cx) / rx, (y - cy) / ry);
      // Opaque inside, fading to nothing across the band centred on the ellipse's edge.
      const a = Math.round(255 * Math.min(1, Math.max(0, ((1 - d) * Math.min(rx, ry)) / band + 0.5)));
      if (a > 0) painted++;
      alpha[y * width + x] = a;
    }
  }
  const png = await sharp({ create: { width, height, channels: 3, background: "#ffffff" } })
    .joinChannel(alpha, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return { png, paintedShare: painted / (width * height) };
}
