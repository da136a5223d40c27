/**
 * The real server with images in an S3-compatible bucket (s3rver, tests/support/s3.ts):
 * served like folder-stored images; an unreachable bucket refuses uploads with 503 and
 * writes nothing; a job finishing meanwhile fails storage_failed and "Retry saving" saves it
 * once the bucket is back; /api/health names storage as the part that is down.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientPng, sha256 } from "../support/fixtures";
import { startS3, type TestS3 } from "../support/s3";
import { apiError, createJob, download, getJson, postJson, startServer, type TestServer, upload, uploadOk, waitForJob } from "../support/server";

let s3: TestS3;
let server: TestServer; // images in the bucket
let folder: TestServer; // images in DATA_DIR/images, to compare with

beforeAll(async () => {
  s3 = await startS3();
  [server, folder] = await Promise.all([startServer({ env: { ...s3.env, DEMO_DELAY_MS: "1500" } }), startServer()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), folder?.stop()]);
  await s3?.close();
});

function imageRows(): number {
  const db = new Database(path.join(server.dataDir, "atelier.db"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "Image"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** While the bucket is down; brought back even when an assertion fails. */
async function withS3Down(run: () => Promise<void>): Promise<void> {
  await s3.stop();
  try {
    await run();
  } finally {
    await s3.start();
  }
}

describe("images in an S3-compatible bucket", () => {
  it("serves an upload byte for byte with the same ETag and immutable caching as folder storage", async () => {
    const png = await gradientPng(640, 360, 11);
    const [inBucket, inFolder] = await Promise.all([uploadOk(server.url, png), uploadOk(folder.url, png)]);
    for (const variant of ["", "?variant=thumb"]) {
      const a = await download(server.url, `/api/images/${inBucket}${variant}`);
      const b = await download(folder.url, `/api/images/${inFolder}${variant}`);
      expect(a.res.status).toBe(200);
      expect(sha256(a.bytes)).toBe(sha256(b.bytes));
      for (const header of ["etag", "cache-control", "content-type", "content-length"]) {
        expect(a.res.headers.get(header), header).toBe(b.res.headers.get(header));
      }
      expect(a.res.headers.get("cache-control")).toContain("immutable");
      const again = await fetch(`${server.url}/api/images/${inBucket}${variant}`, { headers: { "if-none-match": a.res.headers.get("etag")! } });
      expect(again.status).toBe(304);
    }
    expect(sha256((await download(server.url, `/api/images/${inBucket}`)).bytes)).toBe(sha256(png));
    // Nothing went to the local folder.
    expect(fs.existsSync(path.join(server.dataDir, "images"))).toBe(false);
  });

  it("reports every part healthy, naming the bucket as s3 storage", async () => {
    const { status, body } = await getJson(`${server.url}/api/health`);
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      database: { ok: true, kind: "sqlite" },
      storage: { ok: true, kind: "s3" },
      queue: { ok: true, kind: "sqlite" },
    });
  });

  it("while the bucket is unreachable: uploads answer 503 storage_unavailable, write no row, and health names storage", async () => {
    const before = imageRows();
    await withS3Down(async () => {
      const started = Date.now();
      const r = await upload(server.url, await gradientPng(320, 200, 12), { filename: "down.png" });
      expect(apiError(r)).toEqual({ status: 503, code: "storage_unavailable", message: true });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(imageRows()).toBe(before);

      const health = await fetch(`${server.url}/api/health`);
      const text = await health.text();
      expect(health.status).toBe(503);
      const body = JSON.parse(text);
      expect(body.ok).toBe(false);
      expect(body.database).toEqual({ ok: true, kind: "sqlite" });
      expect(body.queue).toEqual({ ok: true, kind: "sqlite" });
      expect(body.storage).toEqual({ ok: false, kind: "s3", reason: "the storage server cannot be reached" });
      // No key, no endpoint.
      const { credentials, endpoint } = s3.settings;
      for (const secret of [credentials!.secretAccessKey, credentials!.accessKeyId, new URL(endpoint!).host]) {
        expect(text).not.toContain(secret);
      }
    });
    expect((await getJson(`${server.url}/api/health`)).status).toBe(200);
    expect((await upload(server.url, await gradientPng(320, 200, 12), { filename: "back.png" })).status).toBe(201);
  });

  it("fails a job finishing while the bucket is unreachable with storage_failed, and saves it on 'Retry saving' once it is back", async () => {
    let failed: Awaited<ReturnType<typeof waitForJob>>;
    const job = await createJob(server.url, { prompt: "a lighthouse in fog, storage down", aspectRatio: "1:1" });
    await withS3Down(async () => {
      failed = await waitForJob(server.url, job.id, ["succeeded", "failed", "canceled"], 20_000);
      expect(failed.status).toBe("failed");
      expect(failed.error.code).toBe("storage_failed");
      expect(failed.error.message).toMatch(/storage cannot be reached.*Retry saving/);
      expect(failed.outputs).toEqual([]);
      // What the job page reads to offer "Retry saving".
      expect(failed.canRetrySave).toBe(true);
    });
    const retried = await postJson(`${server.url}/api/jobs/${job.id}/retry-save`, {});
    expect(retried.status).toBe(200);
    const saved = await waitForJob(server.url, job.id, ["succeeded", "failed", "canceled"], 20_000);
    expect(saved.status).toBe("succeeded");
    expect(saved.outputs).toHaveLength(1);
    expect(saved.canRetrySave).toBe(false);
    const { res, bytes } = await download(server.url, saved.outputs[0].url);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("immutable");
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height]).toEqual([saved.outputs[0].width, saved.outputs[0].height]);
    // Saved once: a second retry has nothing to do.
    expect((await postJson(`${server.url}/api/jobs/${job.id}/retry-save`, {})).status).toBe(409);
  });
});
