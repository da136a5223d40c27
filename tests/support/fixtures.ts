/** Test images made on the fly with sharp, so the repository holds no binary fixtures. */
import { createHash } from "node:crypto";
import sharp from "sharp";

export type ImageFormat = "png" | "jpeg" | "webp" | "gif";

/**
 * A diagonal RGB gradient. `variant` changes the colours, so two calls with different
 * variants give different bytes (and different sha256) at the same size.
 */
export async function gradient(width: number, height: number, format: ImageFormat = "png", variant = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = Math.floor((x / width) * 255 + variant * 37) & 255;
      raw[i + 1] = Math.floor((y / height) * 255 + variant * 71) & 255;
      raw[i + 2] = (128 + variant * 53) & 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}

export const gradientPng = (w: number, h: number, variant = 0) => gradient(w, h, "png", variant);
export const gradientJpeg = (w: number, h: number, variant = 0) => gradient(w, h, "jpeg", variant);
export const gradientWebp = (w: number, h: number, variant = 0) => gradient(w, h, "webp", variant);

/** Plain text, to be uploaded under an image name such as "photo.png". */
export function textFile(): Buffer {
  return Buffer.from("This is not an image, whatever its name says.\n".repeat(20));
}

/** A small file with many pixels: a solid PNG (default 8000×6000 = 48 MP). */
export async function bigPixelPng(width = 8000, height = 6000): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** A valid PNG larger than `minBytes` (default just over 20 MiB), under 40 MP: noise, not compressed. */
export async function hugeFilePng(minBytes = 20 * 1024 * 1024 + 1024 * 1024): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(minBytes / 3)) + 8;
  const raw = Buffer.alloc(side * side * 3);
  // A cheap xorshift instead of crypto randomness: fast and incompressible enough.
  let s = 0x9e3779b9;
  for (let i = 0; i < raw.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    raw[i] = s & 255;
  }
  const png = await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();
  if (png.length <= minBytes) throw new Error(`hugeFilePng made only ${png.length} bytes`);
  return png;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
