import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { useFreshDataDir } from "../support/test-db";

const dataDir = useFreshDataDir();
let images: typeof import("@/lib/images");

beforeAll(async () => {
  images = await import("@/lib/images");
});

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#3a7" } });
const noisy = async (width: number, height: number) => {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width, height, channels: 3 } });
};

describe("image ingestion", () => {
  it("accepts PNG, JPEG and WebP by content, stores the file and an upright WebP thumbnail", async () => {
    for (const [format, mime] of [["png", "image/png"], ["jpeg", "image/jpeg"], ["webp", "image/webp"]] as const) {
      const bytes = await (await noisy(1600, 900)).toFormat(format).toBuffer();
      const image = await images.ingestImage(bytes, "upload", null);
      expect(image).toMatchObject({ mime, width: 1600, height: 900, bytes: bytes.length });
      expect(fs.readFileSync(path.join(dataDir, "images", image.path)).equals(bytes)).toBe(true);
      const thumb = await images.readImage(image.id, "thumb");
      const meta = await sharp(thumb!.bytes).metadata();
      expect(meta.format).toBe("webp");
      expect(Math.max(meta.width!, meta.height!)).toBe(512);
      expect(thumb!.bytes.length).toBeLessThanOrEqual(images.THUMB_MAX_BYTES);
    }
  });

  it("stores identical bytes once and returns the same image", async () => {
    const bytes = await solid(300, 200).png().toBuffer();
    const [a, b] = await Promise.all([images.ingestImage(bytes, "upload", null), images.ingestImage(bytes, "upload", null)]);
    expect(a.id).toBe(b.id);
  });

  it("rejects what is not a PNG, JPEG or WebP, whatever its name", async () => {
    await expect(images.ingestImage(Buffer.from("hello, I am text"), "upload", null)).rejects.toMatchObject({ code: "invalid_image" });
    const gif = await solid(10, 10).gif().toBuffer();
    await expect(images.ingestImage(gif, "upload", null)).rejects.toMatchObject({ code: "invalid_image" });
    await expect(images.ingestImage(Buffer.alloc(0), "upload", null)).rejects.toMatchObject({ code: "invalid_image" });
  });

  it("rejects a truncated image and leaves no file behind", async () => {
    const full = await (await noisy(400, 400)).png().toBuffer();
    const before = fs.readdirSync(path.join(dataDir, "images"), { recursive: true }).length;
    await expect(images.ingestImage(full.subarray(0, full.length / 2), "upload", null)).rejects.toMatchObject({ code: "invalid_image" });
    expect(fs.readdirSync(path.join(dataDir, "images"), { recursive: true }).length).toBe(before);
  });

  it("rejects files over 20 MB and images over 40 megapixels", async () => {
    const big = Buffer.concat([await solid(8, 8).png().toBuffer(), Buffer.alloc(20 * 1024 * 1024)]);
    await expect(images.ingestImage(big, "upload", null)).rejects.toMatchObject({ code: "too_large" });
    // A tiny file that decodes to 48 MP: refused before decoding.
    const bomb = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#000" } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(images.ingestImage(bomb, "upload", null)).rejects.toMatchObject({ code: "too_many_pixels" });
  });

  it("records EXIF-rotated photos with their upright size", async () => {
    const bytes = await solid(600, 400).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const image = await images.ingestImage(bytes, "upload", null);
    expect([image.width, image.height]).toEqual([400, 600]);
    const thumb = await sharp((await images.readImage(image.id, "thumb"))!.bytes).metadata();
    expect([thumb.width, thumb.height]).toEqual([341, 512]);
  });

  it("answers null for unknown or malformed ids", async () => {
    expect(await images.readImage("../../etc/passwd", "full")).toBeNull();
    expect(await images.readImage("01ARZ3NDEKTSV4RRFFQ69G5FAV", "full")).toBeNull();
  });
});
