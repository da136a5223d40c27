import "server-only";
import sharp, { type Sharp } from "sharp";
import { AppError } from "../errors";
import type { Size } from "../sizes";

/** A rectangle in input pixels. */
export type Rect = { x: number; y: number; width: number; height: number };

/** Decoded 8-bit sRGB pixels, interleaved; 4 channels when the image has alpha. */
export type Raw = { data: Buffer; width: number; height: number; channels: 3 | 4 };

/**
 * Stored images keep their EXIF orientation (lib/images.ts rotates only the thumbnail), while
 * the browser shows them upright and the user paints the mask on that: every decode here is
 * upright. Inputs were checked against the 40 MP limit on ingest; provider results were not,
 * so they get the same limit here.
 */
export const MAX_PIXELS = 40_000_000;

export function open(bytes: Buffer): Sharp {
  return sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: "error" }).autoOrient();
}

/** The upright size, read from the header (nothing is decoded). */
export async function uprightSize(bytes: Buffer): Promise<Size> {
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => {
    throw new AppError("invalid_image", "The image is damaged or cannot be read.");
  });
  const { width, height } = meta.autoOrient;
  if (!width || !height) throw new AppError("invalid_image", "The image has no size.");
  return { width, height };
}

/**
 * The decoded values the region guarantee is about: what sharp decodes, upright, as 8-bit
 * sRGB (greyscale becomes RGB, 16-bit becomes 8-bit), with alpha when the image has any.
 */
export async function decodeUpright(image: Sharp): Promise<Raw> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) throw new AppError("invalid_image", "The image has an unsupported colour format.");
  return { data, width: info.width, height: info.height, channels: info.channels };
}
