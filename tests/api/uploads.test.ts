import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bigPixelPng, gradient, gradientJpeg, gradientPng, gradientWebp, hugeFilePng, textFile } from "../support/fixtures";
import { apiError, download, startServer, type TestServer, upload } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe("POST /api/uploads", () => {
  it.each([
    ["png", "image/png", gradientPng],
    ["jpeg", "image/jpeg", gradientJpeg],
    ["webp", "image/webp", gradientWebp],
  ] as const)("accepts a %s and describes it", async (ext, mime, make) => {
    const bytes = await make(640, 360, 1);
    const { status, body } = await upload(server.url, bytes, { filename: `photo.${ext}`, type: mime });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(ULID),
      width: 640,
      height: 360,
      mime,
      bytes: bytes.length,
      url: `/api/images/${body.id}`,
    });
    const got = await download(server.url, body.url);
    expect(got.res.status).toBe(200);
    expect(got.res.headers.get("content-type")).toContain(mime);
    const meta = await sharp(got.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([640, 360]);
  });

  it("judges the content, not the file name or the declared type", async () => {
    const bytes = await gradientJpeg(320, 200, 2);
    const { status, body } = await upload(server.url, bytes, { filename: "notes.txt", type: "text/plain" });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.mime).toBe("image/jpeg");
    expect([body.width, body.height]).toEqual([320, 200]);
  });

  it("refuses a text file named .png with 400 invalid_image", async () => {
    const r = await upload(server.url, textFile(), { filename: "photo.png", type: "image/png" });
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_image", message: true });
  });

  it("refuses an empty file with 400 invalid_image", async () => {
    const r = await upload(server.url, new Uint8Array(0), { filename: "empty.png", type: "image/png" });
    expect(r.status).toBe(400);
    expect(["invalid_image", "invalid_request"]).toContain(r.body?.error?.code);
  });

  it("refuses an image in another format (GIF) with 400 invalid_image", async () => {
    const gif = await gradient(64, 64, "gif");
    const r = await upload(server.url, gif, { filename: "anim.png", type: "image/png" });
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_image", message: true });
  });

  it("refuses a file over 20 MB with 413 too_large", async () => {
    const big = await hugeFilePng();
    expect(big.length).toBeGreaterThan(20 * 1024 * 1024);
    const r = await upload(server.url, big, { filename: "huge.png", type: "image/png" });
    expect(apiError(r)).toEqual({ status: 413, code: "too_large", message: true });
  });

  it("refuses an image over 40 megapixels with 400 too_many_pixels", async () => {
    const png = await bigPixelPng(8000, 6000);
    expect(png.length).toBeLessThan(20 * 1024 * 1024);
    const r = await upload(server.url, png, { filename: "wide.png", type: "image/png" });
    expect(apiError(r)).toEqual({ status: 400, code: "too_many_pixels", message: true });
  });

  it("answers 400 invalid_request when the `file` field is missing", async () => {
    const bytes = await gradientPng(32, 32);
    const r = await upload(server.url, bytes, { field: "image", filename: "a.png", type: "image/png" });
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_request", message: true });
  });

  it("answers 400 invalid_request when the body is not multipart", async () => {
    const res = await fetch(`${server.url}/api/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ file: "nope" }),
    });
    const body = await res.json();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(body.error.code).toBe("invalid_request");
  });

  it("deduplicates identical bytes (same id), whatever the file name", async () => {
    const bytes = await gradientPng(500, 300, 7);
    const a = await upload(server.url, bytes, { filename: "one.png", type: "image/png" });
    const b = await upload(server.url, bytes, { filename: "two.png", type: "image/png" });
    expect(a.status).toBe(201);
    expect([200, 201]).toContain(b.status);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body).toEqual(a.body);

    const other = await upload(server.url, await gradientPng(500, 300, 8), { filename: "one.png", type: "image/png" });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(a.body.id);
  });
});
