import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientJpeg, gradientPng, gradientWebp, sha256 } from "../support/fixtures";
import { download, startServer, type TestServer, upload } from "../support/server";

let server: TestServer;
let png: Buffer;
let pngId: string;

beforeAll(async () => {
  server = await startServer();
  png = await gradientPng(1600, 900, 3);
  const r = await upload(server.url, png, { filename: "wide.png", type: "image/png" });
  if (r.status !== 201) throw new Error(`upload failed: ${r.status} ${JSON.stringify(r.body)}`);
  pngId = r.body.id;
});
afterAll(async () => {
  await server?.stop();
});

async function expectNotFound(path: string) {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status, path).toBe(404);
  const body = await res.json();
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
}

describe("GET /api/images/:id", () => {
  it("serves the uploaded bytes with type, immutable caching and an etag", async () => {
    const { res, bytes } = await download(server.url, `/api/images/${pngId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("image/png");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("etag")).toBeTruthy();
    expect(sha256(bytes)).toBe(sha256(png));
  });

  it.each([
    ["image/jpeg", gradientJpeg],
    ["image/webp", gradientWebp],
  ] as const)("serves %s with its own content type", async (mime, make) => {
    const bytes = await make(300, 200, 4);
    const up = await upload(server.url, bytes, { filename: "x.bin" });
    expect(up.status).toBe(201);
    const { res, bytes: got } = await download(server.url, up.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain(mime);
    expect(sha256(got)).toBe(sha256(bytes));
  });

  it("answers 304 to If-None-Match with the etag, 200 to another etag", async () => {
    const first = await fetch(`${server.url}/api/images/${pngId}`);
    await first.arrayBuffer();
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();

    const again = await fetch(`${server.url}/api/images/${pngId}`, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    const other = await fetch(`${server.url}/api/images/${pngId}`, { headers: { "if-none-match": '"something-else"' } });
    expect(other.status).toBe(200);
    expect((await other.arrayBuffer()).byteLength).toBe(png.length);
  });

  it("serves a WebP thumbnail whose long side is at most 512", async () => {
    const { res, bytes } = await download(server.url, `/api/images/${pngId}?variant=thumb`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("image/webp");
    expect(res.headers.get("cache-control")).toContain("immutable");
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("webp");
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(512);
    // Keeps the aspect ratio (1600×900).
    expect(Math.abs(meta.width! / meta.height! - 16 / 9)).toBeLessThan(0.05);
  });

  it("thumbnails a portrait image by its height", async () => {
    const up = await upload(server.url, await gradientJpeg(900, 1600, 5), { filename: "tall.jpg" });
    expect(up.status).toBe(201);
    const { res, bytes } = await download(server.url, `${up.body.url}?variant=thumb`);
    expect(res.status).toBe(200);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("webp");
    expect(meta.height).toBeLessThanOrEqual(512);
    expect(meta.height!).toBeGreaterThan(meta.width!);
  });

  it("answers 404 for an unknown id", async () => {
    await expectNotFound("/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    await expectNotFound("/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV?variant=thumb");
  });

  it("answers 404 for a malformed id", async () => {
    await expectNotFound("/api/images/not-an-id");
    await expectNotFound(`/api/images/${pngId.toLowerCase()}x`);
    await expectNotFound("/api/images/..%2F..%2Fatelier.db");
  });
});
