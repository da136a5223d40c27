import "server-only";
import sharp from "sharp";
import type { InputImage } from "./types";

export type PreparedImage = { bytes: Buffer; mime: "image/png" | "image/jpeg" };

/**
 * Re-encodes an input for a provider: upright (EXIF applied), no metadata, the long side
 * within `maxSide`, and under `maxBytes`. PNG keeps transparency; photos go as JPEG. The
 * stored original is untouched.
 */
export async function prepareInput(
  input: InputImage,
  { maxBytes = 10 * 1024 * 1024, maxSide = 2048 }: { maxBytes?: number; maxSide?: number } = {},
): Promise<PreparedImage> {
  const base = sharp(input.bytes).rotate().resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true });
  const { hasAlpha } = await sharp(input.bytes).metadata();
  if (hasAlpha) {
    const png = await base.clone().png({ compressionLevel: 9 }).toBuffer();
    if (png.length <= maxBytes) return { bytes: png, mime: "image/png" };
  }
  for (const quality of [92, 85, 75, 60]) {
    const jpeg = await base.clone().flatten({ background: "#ffffff" }).jpeg({ quality }).toBuffer();
    if (jpeg.length <= maxBytes) return { bytes: jpeg, mime: "image/jpeg" };
  }
  const smaller = await base.clone().resize(1024, 1024, { fit: "inside" }).flatten({ background: "#ffffff" }).jpeg({ quality: 75 }).toBuffer();
  return { bytes: smaller, mime: "image/jpeg" };
}

export const toDataUri = ({ bytes, mime }: PreparedImage) => `data:${mime};base64,${bytes.toString("base64")}`;
