import "server-only";
import sharp from "sharp";
import { AppError } from "../errors";
import type { Size } from "../sizes";
import { open, type Rect } from "./pixels";

/** One byte per input pixel: 255 = may change, 0 = keep, values between blend. */
export type Mask = { data: Uint8Array; width: number; height: number; bounds: Rect };

/**
 * Reads a mask upload for an input of `size` (upright): its alpha channel if it has one,
 * else its luminance. Refuses a mask of another size and one with nothing painted.
 */
export async function readMask(bytes: Buffer, size: Size): Promise<Mask> {
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => {
    throw new AppError("invalid_image", "The mask is damaged or cannot be read.");
  });
  const { width, height } = meta.autoOrient;
  if (width !== size.width || height !== size.height) {
    throw new AppError(
      "mask_mismatch",
      `The mask is ${width} × ${height} pixels; it must be the size of the image, ${size.width} × ${size.height}.`,
    );
  }
  // One band straight out of libvips: a 40 MP mask never exists here as RGBA.
  const pipeline = meta.hasAlpha ? open(bytes).extractChannel("alpha") : open(bytes).toColourspace("b-w");
  const data = await pipeline.raw().toBuffer().catch(() => {
    throw new AppError("invalid_image", "The mask is damaged or cannot be read.");
  });
  if (data.length !== width * height) throw new AppError("invalid_image", "The mask has an unsupported format.");
  const bounds = maskBounds(data, width, height);
  if (!bounds) throw new AppError("invalid_request", "The painted region is empty");
  return { data, width, height, bounds };
}

/** The smallest rectangle holding every non-zero mask value; null when there is none. */
export function maskBounds(data: Uint8Array, width: number, height: number): Rect | null {
  let top = -1;
  let bottom = -1;
  let left = width;
  let right = -1;
  const blank = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    // Most rows of a mask are blank; a native compare says so at memcmp speed.
    if (Buffer.compare(data.subarray(row, row + width), blank) === 0) continue;
    let first = 0;
    while (first < width && data[row + first] === 0) first++;
    if (first === width) continue;
    if (top < 0) top = y;
    bottom = y;
    if (first < left) left = first;
    // Only columns right of what is already known can widen the box.
    for (let x = width - 1; x > right && x >= first; x--) {
      if (data[row + x] !== 0) {
        right = x;
        break;
      }
    }
  }
  if (top < 0) return null;
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}
