import "server-only";
import { createHash } from "node:crypto";
import sharp, { type Metadata } from "sharp";
import { db } from "./db";
import { AppError } from "./errors";
import { newId } from "./ids";
import { ID_PATTERN } from "./schemas";
import { storage } from "./storage";
import { imageUrl } from "./dto";
import type { UploadDto } from "./dto";
import type { Image } from "./generated/prisma/client";

// libvips' operation cache keeps decoded images around for reuse; every image here is
// decoded once and stored at once, so the cache could only hold memory, never save work.
sharp.cache(false);

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** A region edit's output is a lossless PNG the input's size: ~19 MB at 12 MP, ~53 MB at 40 MP. */
export const MAX_OUTPUT_BYTES = 200 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 40_000_000;
export const THUMB_LONG_SIDE = 512;
export const THUMB_MAX_BYTES = 40 * 1024;

const FORMATS = {
  png: { mime: "image/png", ext: "png" },
  jpeg: { mime: "image/jpeg", ext: "jpg" },
  webp: { mime: "image/webp", ext: "webp" },
} as const;
type Format = keyof typeof FORMATS;

/** Trust the bytes, never the file name or the declared type. */
export function sniffFormat(bytes: Buffer): Format | null {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 12 && bytes.toString("ascii", 0, 4) === "RIFF" && bytes.toString("ascii", 8, 12) === "WEBP") {
    return "webp";
  }
  return null;
}

const invalidImage = (why: string) => new AppError("invalid_image", why);

/**
 * Validates, stores and records an image (an upload or a provider result), with its
 * WebP thumbnail. Identical bytes are stored once and return the existing record.
 */
/** `accountId`: who uploaded it, or whose job made it (the first one, for bytes already stored). */
export async function ingestImage(bytes: Buffer, origin: "upload" | "output", accountId: string | null): Promise<Image> {
  if (bytes.length === 0) throw invalidImage("The file is empty.");
  if (bytes.length > (origin === "output" ? MAX_OUTPUT_BYTES : MAX_IMAGE_BYTES)) {
    throw new AppError("too_large", `The image is larger than ${origin === "output" ? 200 : 20} MB. Export it smaller and try again.`);
  }
  const format = sniffFormat(bytes);
  if (!format) throw invalidImage("This is not a PNG, JPEG or WebP image.");

  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const existing = await db().image.findUnique({ where: { sha256 } });
  if (existing) return existing;

  const { width, height } = await measure(bytes);
  const thumb = await makeThumbnail(bytes);
  const { mime, ext } = FORMATS[format];
  const path = `originals/${sha256.slice(0, 2)}/${sha256}.${ext}`;
  const thumbPath = `thumbs/${sha256.slice(0, 2)}/${sha256}.webp`;
  await storage().put(path, bytes);
  await storage().put(thumbPath, thumb);
  try {
    return await db().image.create({
      data: { id: newId(), sha256, mime, width, height, bytes: bytes.length, path, thumbPath, thumbBytes: thumb.length, origin, accountId },
    });
  } catch (error) {
    // Two identical uploads at once: the other one won; the files are the same bytes.
    const winner = await db().image.findUnique({ where: { sha256 } });
    if (winner) return winner;
    throw error;
  }
}

/** Upright size (EXIF orientation applied), with the pixel limit checked before decoding. */
async function measure(bytes: Buffer): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw invalidImage("The image is damaged or cannot be read.");
  }
  if (!meta.width || !meta.height) throw invalidImage("The image has no size.");
  if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
    throw new AppError("too_many_pixels", `The image is ${meta.width} × ${meta.height} pixels; the limit is 40 megapixels.`);
  }
  const swapped = (meta.orientation ?? 1) >= 5;
  return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

/** Decodes the whole image (so truncated files fail here) into an upright WebP ≤ 40 KB. */
export async function makeThumbnail(bytes: Buffer): Promise<Buffer> {
  try {
    const pipeline = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" })
      .rotate()
      .resize(THUMB_LONG_SIDE, THUMB_LONG_SIDE, { fit: "inside", withoutEnlargement: true });
    let thumb = Buffer.alloc(0);
    for (const quality of [75, 60, 45, 30]) {
      thumb = await pipeline.clone().webp({ quality, effort: 4 }).toBuffer();
      if (thumb.length <= THUMB_MAX_BYTES) break;
    }
    return thumb;
  } catch {
    throw invalidImage("The image is damaged or cannot be read.");
  }
}

export function toUploadDto(image: Image): UploadDto {
  return { id: image.id, width: image.width, height: image.height, mime: image.mime, bytes: image.bytes, url: imageUrl(image.id) };
}

export type ImageFile = { bytes: Buffer; mime: string; etag: string };

/** The stored bytes of an image or its thumbnail; null for unknown or malformed ids. */
export async function readImage(id: string, variant: "full" | "thumb"): Promise<ImageFile | null> {
  if (!ID_PATTERN.test(id)) return null;
  const image = await db().image.findUnique({ where: { id } });
  if (!image) return null;
  const thumb = variant === "thumb";
  const bytes = await storage().get(thumb ? image.thumbPath : image.path);
  // Content-addressed, so the digest is a strong validator forever.
  return { bytes, mime: thumb ? "image/webp" : image.mime, etag: `"${image.sha256.slice(0, 32)}${thumb ? "-t" : ""}"` };
}

export async function readImageBytes(image: Image): Promise<Buffer> {
  return storage().get(image.path);
}
