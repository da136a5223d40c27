import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import sharp from "sharp";
import { startS3, type TestS3 } from "../support/s3";
import { useFreshDataDir } from "../support/test-db";

/**
 * The orphan sweep on either storage: bytes stored whose row was never written (the row write
 * failed after the upload) go once they are older than an hour; bytes a row points at, and
 * bytes younger than an hour (an upload whose row is about to follow), stay. The same story
 * runs against a folder and against a real S3-compatible server.
 */

const HOUR_MS = 3_600_000;
useFreshDataDir();
let s3: TestS3 | undefined;
afterAll(async () => {
  await s3?.close();
});

/** lib/env reads its settings once: a fresh module graph for each storage. */
async function load(settings: Record<string, string>) {
  for (const name of ["S3_BUCKET", "S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_FORCE_PATH_STYLE"]) {
    delete process.env[name];
  }
  Object.assign(process.env, settings);
  vi.resetModules();
  return {
    storage: (await import("@/lib/storage")).storage(),
    images: await import("@/lib/images"),
    sweepOrphans: (await import("@/lib/maintenance")).sweepOrphans,
  };
}

const orphanKey = (folder: "originals" | "thumbs", ext: string) => {
  const sha256 = randomBytes(32).toString("hex");
  return `${folder}/${sha256.slice(0, 2)}/${sha256}.${ext}`;
};

async function sweepStory({ storage, images, sweepOrphans }: Awaited<ReturnType<typeof load>>) {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: `#${randomBytes(3).toString("hex")}` } }).png().toBuffer();
  const kept = await images.ingestImage(png, "upload", null);
  const oldOriginal = orphanKey("originals", "png");
  const oldThumb = orphanKey("thumbs", "webp");
  await storage.put(oldOriginal, Buffer.from("row never written"));
  await storage.put(oldThumb, Buffer.from("row never written"));
  // Times may be kept to the second: more than a second apart, the sweep tells them apart.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const youngAt = Date.now();
  const young = orphanKey("originals", "png");
  await storage.put(young, Buffer.from("its row follows"));

  // An hour after a moment between the two: the first ones are older than the grace, the young one is not.
  expect(await sweepOrphans(youngAt - 1_050 + HOUR_MS)).toEqual({ images: 0, files: 2 });
  expect(await storage.exists(oldOriginal)).toBe(false);
  expect(await storage.exists(oldThumb)).toBe(false);
  expect(await storage.exists(young)).toBe(true);
  expect(await storage.exists(kept.path)).toBe(true);
  expect(await storage.exists(kept.thumbPath)).toBe(true);
  expect((await images.readImage(kept.id, "full"))?.bytes.equals(png)).toBe(true);
  return { young };
}

describe("orphan sweep", () => {
  it("in the image folder: removes old bytes without a row, keeps referenced and young ones", async () => {
    const loaded = await load({});
    expect(loaded.storage.kind).toBe("folder");
    await sweepStory(loaded);
  });

  it("in an S3 bucket: removes old objects without a row, keeps referenced and young ones, and nothing outside its prefixes", async () => {
    s3 = await startS3();
    const loaded = await load(s3.env);
    expect(loaded.storage.kind).toBe("s3");
    // Someone else's object in a shared bucket, under a name we never build.
    await loaded.storage.put("reports/2026/summary.txt", Buffer.from("not ours"));
    const { young } = await sweepStory(loaded);
    expect(await loaded.storage.exists("reports/2026/summary.txt")).toBe(true);
    // Later still, the young orphan is old too.
    expect(await loaded.sweepOrphans(Date.now() + 2 * HOUR_MS)).toEqual({ images: 0, files: 1 });
    expect(await loaded.storage.exists(young)).toBe(false);
  });
});
