import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Storage } from "@/lib/storage/s3";
import { startS3, type TestS3 } from "../support/s3";

let s3: TestS3;
let storage: S3Storage;

beforeAll(async () => {
  s3 = await startS3();
  storage = new S3Storage(s3.settings);
});
afterAll(async () => {
  await s3?.close();
});

const key = (name: string) => `originals/ab/${name}.png`;

describe("S3 storage against an S3-compatible server", () => {
  it("gives back exactly the bytes it stored, small and multi-megabyte", async () => {
    const small = Buffer.from("a few bytes");
    // Random, so a checksum trailer or a re-encoding anywhere would change the bytes.
    const large = randomBytes(6 * 1024 * 1024 + 123);
    await storage.put(key("small"), small);
    await storage.put(key("large"), large);
    expect((await storage.get(key("small"))).equals(small)).toBe(true);
    const back = await storage.get(key("large"));
    expect(back.length).toBe(large.length);
    expect(back.equals(large)).toBe(true);
  });

  it("knows what exists, deletes, and refuses keys it did not build", async () => {
    await storage.put(key("gone"), Buffer.from("soon gone"));
    expect(await storage.exists(key("gone"))).toBe(true);
    await storage.delete(key("gone"));
    expect(await storage.exists(key("gone"))).toBe(false);
    expect(await storage.exists(key("never"))).toBe(false);
    // A lost object is not an outage: it must not read as "try again later".
    const missing = await storage.get(key("never")).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Error);
    expect(missing).not.toMatchObject({ code: "storage_unavailable" });
    await expect(storage.put("../escape.png", Buffer.from("x"))).rejects.toThrow(/Invalid storage key/);
  });

  it("lists every key under the image folders page by page, with when it was written, and nothing else in the bucket", async () => {
    const before = Date.now() - 1_000; // the server may keep times to the second
    const mine = ["a", "b", "c", "d", "e"].map((name) => `thumbs/cd/listed${name}.webp`);
    for (const name of mine) await storage.put(name, Buffer.from(name));
    await storage.put("backups/listed.png", Buffer.from("someone else's"));
    const listed = [];
    // Two keys a page, so several ListObjectsV2 calls have to be followed.
    for await (const entry of new S3Storage(s3.settings, 2).list()) listed.push(entry);
    const keys = listed.map((entry) => entry.key);
    expect(keys).toEqual(expect.arrayContaining(mine));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => k.startsWith("originals/") || k.startsWith("thumbs/"))).toBe(true);
    for (const entry of listed.filter((e) => mine.includes(e.key))) {
      expect(entry.modified.getTime()).toBeGreaterThanOrEqual(before);
      expect(entry.modified.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    }
  });

  it("answers storage_unavailable within seconds while the server is down, and works again once it is back", async () => {
    const kept = randomBytes(50_000);
    await storage.put(key("kept"), kept);
    await storage.check();
    await s3.stop();
    try {
      const started = Date.now();
      await expect(storage.put(key("whiledown"), Buffer.from("x"))).rejects.toMatchObject({ code: "storage_unavailable" });
      await expect(storage.get(key("kept"))).rejects.toMatchObject({ code: "storage_unavailable" });
      await expect(storage.exists(key("kept"))).rejects.toMatchObject({ code: "storage_unavailable" });
      await expect(storage.check()).rejects.toThrow("the storage server cannot be reached");
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await s3.start();
    }
    await storage.check();
    expect((await storage.get(key("kept"))).equals(kept)).toBe(true);
  });

  it("says plainly why a bucket cannot be used, without the keys", async () => {
    const badKey = "not-a-key-s3rver-knows";
    const wrongKeys = new S3Storage({ ...s3.settings, credentials: { accessKeyId: badKey, secretAccessKey: "secret-value-123" } });
    const refused = await wrongKeys.check().catch((error: Error) => error.message);
    expect(refused).toBe("the bucket refused the credentials");
    const noBucket = new S3Storage({ ...s3.settings, bucket: "no-such-bucket" });
    await expect(noBucket.check()).rejects.toThrow("the bucket does not exist");
  });
});
