/**
 * Bad input through the JSON API of the production server, as one table: every row is a
 * request that must be refused with its documented status and `{error:{code,message}}`,
 * leave no stored image file (folder or bucket) and no row in the database, and leave the server serving.
 * Then the unusual-but-valid images that must be accepted and normalised (upright, first
 * frame, sRGB, 8-bit thumbnails).
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  animatedPng,
  animatedWebp,
  averageColour,
  cmykJpeg,
  exifRotatedJpeg,
  gifFile,
  htmlFile,
  isBlue,
  isRed,
  jpegMagicGarbage,
  png16,
  pngBomb,
  pngHeaderBomb,
  pngSignatureOnly,
  svgWithScript,
  textFile,
  tiffFile,
  truncatedJpeg,
  truncatedPng,
  webpHeaderGarbage,
} from "../support/bad-files";
import { gradientPng, hugeFilePng } from "../support/fixtures";
import { download, type Json, startServer, type TestServer, uploadOk } from "../support/server";
import { storedCounts } from "../support/stored";

let server: TestServer;
let imageA: string;
let imageB: string;
const files: Record<string, Buffer> = {};

const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const TABLES = ["Image", "Job", "JobInput", "JobOutput"] as const;
const REQUEST_TIMEOUT_MS = 20_000;

beforeAll(async () => {
  const [a, b] = await Promise.all([gradientPng(200, 150, 21), gradientPng(200, 150, 22)]);
  server = await startServer();
  imageA = await uploadOk(server.url, a);
  imageB = await uploadOk(server.url, b);
  const made = await Promise.all([gifFile(), tiffFile(), truncatedPng(), truncatedJpeg()]);
  [files.gif, files.tiff, files.truncatedPng, files.truncatedJpeg] = made;
  files.pngBomb = pngBomb(10_000, 10_000);
  files.pngHeaderBomb = pngHeaderBomb();
});

afterAll(async () => {
  await server?.stop();
});

// ---------------------------------------------------------------------------------------
// What "left behind" means: stored image files (the folder or the bucket) and rows in the database.

const snapshot = () => storedCounts(server, TABLES);

// ---------------------------------------------------------------------------------------
// Requests.

const timeout = () => AbortSignal.timeout(REQUEST_TIMEOUT_MS);

/** POST /api/uploads with one file part. */
function uploadFile(bytes: Uint8Array, filename: string, type = "application/octet-stream", field = "file") {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return fetch(`${server.url}/api/uploads`, { method: "POST", body: form, signal: timeout() });
}

function uploadForm(form: FormData) {
  return fetch(`${server.url}/api/uploads`, { method: "POST", body: form, signal: timeout() });
}

/** POST /api/jobs with a JSON body (an object is stringified; a string is sent as it is). */
function job(body: unknown, contentType = "application/json") {
  return fetch(`${server.url}/api/jobs`, {
    method: "POST",
    headers: contentType ? { "content-type": contentType } : {},
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: timeout(),
  });
}

/** A valid job body with `patch` applied (undefined removes a field). */
function jobWith(patch: Record<string, unknown>) {
  const body: Record<string, unknown> = { provider: "demo", prompt: "a quiet harbour at dawn", aspectRatio: "1:1" };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return job(body);
}

/** A 21 MB body that starts like a PNG, streamed without a Content-Length. */
function streamedOversizedUpload() {
  const boundary = "----atelier-bad-input-boundary";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const payload = Buffer.alloc(21 * 1024 * 1024, 0x41);
  pngSignatureOnly().copy(payload);
  const parts = [head, payload, tail];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next) controller.enqueue(new Uint8Array(next));
      else controller.close();
    },
  });
  return fetch(`${server.url}/api/uploads`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    signal: timeout(),
    duplex: "half",
  } as RequestInit & { duplex: "half" });
}

// ---------------------------------------------------------------------------------------
// The table.

type Row = {
  name: string;
  send: () => Promise<Response>;
  status: number | number[];
  code: string | string[];
};

const MB = 1024 * 1024;
const prompt = (p: unknown) => () => jobWith({ prompt: p });
const ratio = (r: unknown) => () => jobWith({ aspectRatio: r });
const seed = (s: unknown) => () => jobWith({ seed: s });
const n = (v: unknown) => () => jobWith({ n: v });

const rows: Row[] = [
  // --- uploads: framing --------------------------------------------------------------
  { name: "upload: empty multipart (no fields)", send: () => uploadForm(new FormData()), status: 400, code: "invalid_request" },
  {
    name: "upload: `file` sent as a text field, not a file",
    send: () => {
      const form = new FormData();
      form.append("file", "iVBORw0KGgo=");
      return uploadForm(form);
    },
    status: 400,
    code: "invalid_request",
  },
  { name: "upload: wrong field name (image)", send: async () => uploadFile(await gradientPng(32, 32, 40), "a.png", "image/png", "image"), status: 400, code: "invalid_request" },
  {
    name: "upload: JSON body instead of multipart",
    send: () => fetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"file":"x"}', signal: timeout() }),
    status: [400, 415],
    code: "invalid_request",
  },
  {
    name: "upload: multipart type whose body has no matching boundary",
    send: () =>
      fetch(`${server.url}/api/uploads`, {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=nope" },
        body: "this is not multipart at all",
        signal: timeout(),
      }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "upload: oversized multipart (21 MB, with Content-Length)",
    send: () => {
      const big = Buffer.alloc(21 * MB, 0x41);
      pngSignatureOnly().copy(big);
      return uploadFile(big, "huge.png", "image/png");
    },
    status: 413,
    code: "too_large",
  },
  { name: "upload: oversized multipart (21 MB, streamed, no Content-Length)", send: streamedOversizedUpload, status: 413, code: "too_large" },
  // --- uploads: content ----------------------------------------------------------------
  { name: "upload: empty file (0 bytes)", send: () => uploadFile(new Uint8Array(0), "empty.png", "image/png"), status: 400, code: "invalid_image" },
  { name: "upload: a text file named .png", send: () => uploadFile(textFile(), "photo.png", "image/png"), status: 400, code: "invalid_image" },
  { name: "upload: an HTML file named .png", send: () => uploadFile(htmlFile(), "photo.png", "image/png"), status: 400, code: "invalid_image" },
  { name: "upload: an SVG with a <script>", send: () => uploadFile(svgWithScript(), "logo.svg", "image/svg+xml"), status: 400, code: "invalid_image" },
  { name: "upload: an SVG with a <script> named .png", send: () => uploadFile(svgWithScript(), "logo.png", "image/png"), status: 400, code: "invalid_image" },
  { name: "upload: a GIF (not an accepted format)", send: () => uploadFile(files.gif!, "a.gif", "image/gif"), status: 400, code: "invalid_image" },
  { name: "upload: a TIFF (not an accepted format)", send: () => uploadFile(files.tiff!, "a.tiff", "image/tiff"), status: 400, code: "invalid_image" },
  { name: "upload: only the PNG signature", send: () => uploadFile(pngSignatureOnly(), "sig.png", "image/png"), status: 400, code: "invalid_image" },
  { name: "upload: JPEG magic bytes then garbage", send: () => uploadFile(jpegMagicGarbage(), "x.jpg", "image/jpeg"), status: 400, code: "invalid_image" },
  { name: "upload: RIFF/WEBP header then garbage", send: () => uploadFile(webpHeaderGarbage(), "x.webp", "image/webp"), status: 400, code: "invalid_image" },
  { name: "upload: truncated PNG", send: () => uploadFile(files.truncatedPng!, "cut.png", "image/png"), status: 400, code: "invalid_image" },
  { name: "upload: truncated JPEG", send: () => uploadFile(files.truncatedJpeg!, "cut.jpg", "image/jpeg"), status: 400, code: "invalid_image" },
  { name: "upload: decompression bomb (valid 10000×10000 PNG, a few KB)", send: () => uploadFile(files.pngBomb!, "bomb.png", "image/png"), status: 400, code: "too_many_pixels" },
  { name: "upload: PNG header claiming 65535×65535", send: () => uploadFile(files.pngHeaderBomb!, "bomb2.png", "image/png"), status: 400, code: "too_many_pixels" },

  // --- jobs: input image ids -----------------------------------------------------------
  { name: "job: inputImageIds with ../", send: () => jobWith({ inputImageIds: ["../../../etc/passwd"], aspectRatio: undefined }), status: 400, code: "invalid_request" },
  { name: "job: inputImageIds with ../ at ULID length", send: () => jobWith({ inputImageIds: ["../../images/originals/AAAAA"], aspectRatio: undefined }), status: 400, code: "invalid_request" },
  { name: "job: inputImageIds with a NUL after a real id", send: () => jobWith({ inputImageIds: [`${imageA}\u0000`], aspectRatio: undefined }), status: 400, code: "invalid_request" },
  { name: "job: inputImageIds with a NUL inside an id", send: () => jobWith({ inputImageIds: [`${imageA.slice(0, 12)}\u0000${imageA.slice(13)}`], aspectRatio: undefined }), status: 400, code: "invalid_request" },
  { name: "job: unknown input image id", send: () => jobWith({ inputImageIds: [UNKNOWN_ID], aspectRatio: undefined }), status: 404, code: "image_not_found" },
  { name: "job: inputImageIds not an array", send: () => jobWith({ inputImageIds: imageA, aspectRatio: undefined }), status: 400, code: "invalid_request" },
  // --- jobs: prompt ----------------------------------------------------------------------
  { name: "job: empty prompt", send: prompt(""), status: 400, code: "invalid_request" },
  { name: "job: whitespace-only prompt", send: prompt(" \t\n\r  \n"), status: 400, code: "invalid_request" },
  { name: "job: 20 000-character prompt", send: prompt("a".repeat(20_000)), status: 400, code: "invalid_request" },
  { name: "job: prompt with a NUL", send: prompt("a red\u0000 door"), status: 400, code: "invalid_request" },
  { name: "job: prompt with an ANSI escape", send: prompt("make it \u001b[31mred\u001b[0m"), status: 400, code: "invalid_request" },
  { name: "job: prompt with a bell and a DEL", send: prompt("ring\u0007 the bell\u007f"), status: 400, code: "invalid_request" },
  { name: "job: prompt that is a number", send: prompt(42), status: 400, code: "invalid_request" },
  { name: "job: no prompt", send: prompt(undefined), status: 400, code: "invalid_request" },
  // --- jobs: ratio -----------------------------------------------------------------------
  { name: 'job: aspect ratio "7:3"', send: ratio("7:3"), status: 400, code: "invalid_request" },
  { name: 'job: aspect ratio "16/9"', send: ratio("16/9"), status: 400, code: "invalid_request" },
  { name: 'job: aspect ratio ""', send: ratio(""), status: 400, code: "invalid_request" },
  { name: "job: aspect ratio as a number", send: ratio(1.5), status: 400, code: "invalid_request" },
  { name: 'job: a known ratio the model does not offer ("4:5")', send: ratio("4:5"), status: 400, code: "unsupported" },
  { name: "job: match_input with no input image", send: ratio("match_input"), status: 400, code: "invalid_request" },
  // --- jobs: seed ------------------------------------------------------------------------
  { name: "job: negative seed", send: seed(-1), status: 400, code: "invalid_request" },
  { name: "job: seed 2^31 (one past the max)", send: seed(2 ** 31), status: 400, code: "invalid_request" },
  { name: "job: huge seed 1e300", send: seed(1e300), status: 400, code: "invalid_request" },
  { name: "job: float seed", send: seed(1.5), status: 400, code: "invalid_request" },
  { name: 'job: string seed "42"', send: seed("42"), status: 400, code: "invalid_request" },
  // --- jobs: n ---------------------------------------------------------------------------
  { name: "job: n = 0", send: n(0), status: 400, code: "invalid_request" },
  { name: "job: n = 99", send: n(99), status: 400, code: "invalid_request" },
  { name: "job: n = -1", send: n(-1), status: 400, code: "invalid_request" },
  { name: "job: n = 1.5", send: n(1.5), status: 400, code: "invalid_request" },
  { name: "job: n = 5 (above the demo model's 4)", send: n(5), status: 400, code: "unsupported" },
  // --- jobs: provider, model, inputs --------------------------------------------------------
  { name: "job: unknown provider", send: () => jobWith({ provider: "openai" }), status: 400, code: "invalid_request" },
  { name: "job: no provider", send: () => jobWith({ provider: undefined }), status: 400, code: "invalid_request" },
  { name: "job: unknown model", send: () => jobWith({ model: "flux-ultra-9000" }), status: 400, code: "invalid_request" },
  { name: "job: empty model", send: () => jobWith({ model: "" }), status: 400, code: "invalid_request" },
  { name: "job: provider without a key (therouter)", send: () => jobWith({ provider: "therouter" }), status: 409, code: "provider_not_configured" },
  { name: "job: too many input images (2 for a 1-image model)", send: () => jobWith({ inputImageIds: [imageA, imageB], aspectRatio: undefined }), status: 400, code: "unsupported" },
  { name: "job: nine input images (over the schema's 8)", send: () => jobWith({ inputImageIds: Array(9).fill(imageA), aspectRatio: undefined }), status: 400, code: "invalid_request" },
  { name: "job: an unknown extra field", send: () => jobWith({ webhook: "http://evil.example" }), status: 400, code: "invalid_request" },
  // --- jobs: body framing --------------------------------------------------------------
  { name: "job: malformed JSON", send: () => job('{"provider": "demo", "prompt": "x",'), status: 400, code: "invalid_request" },
  { name: "job: empty JSON body", send: () => job(""), status: 400, code: "invalid_request" },
  { name: "job: JSON null", send: () => job("null"), status: 400, code: "invalid_request" },
  { name: "job: JSON array", send: () => job("[1,2,3]"), status: 400, code: "invalid_request" },
  { name: "job: a JSON string", send: () => job('"demo"'), status: 400, code: "invalid_request" },
  { name: "job: 8 MB of JSON (one huge prompt)", send: () => jobWith({ prompt: "b".repeat(8 * MB) }), status: [400, 413], code: "invalid_request" },
  {
    name: "job: 6 MB of JSON (a huge inputImageIds array)",
    send: () => jobWith({ inputImageIds: Array(230_000).fill(UNKNOWN_ID), aspectRatio: undefined }),
    status: [400, 413],
    code: "invalid_request",
  },
  { name: "job: 5 MB of deeply nested JSON arrays", send: () => job(`${"[".repeat(2.5 * MB)}${"]".repeat(2.5 * MB)}`), status: [400, 413], code: "invalid_request" },
  { name: "job: text/plain content type", send: () => job({ provider: "demo", prompt: "x" }, "text/plain"), status: 415, code: "invalid_request" },
  { name: "job: no content type", send: () => job({ provider: "demo", prompt: "x" }, ""), status: 415, code: "invalid_request" },
  { name: "job: form-urlencoded", send: () => job("provider=demo&prompt=x", "application/x-www-form-urlencoded"), status: 415, code: "invalid_request" },
];

const asList = <T,>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

describe("bad input: a clear 4xx, nothing left behind, still serving", () => {
  it("has at least 30 rows", () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  for (const row of rows) {
    it(row.name, async () => {
      const before = await snapshot();
      const res = await row.send();
      const text = await res.text();
      let body: Json;
      try {
        body = JSON.parse(text);
      } catch {
        body = text.slice(0, 300);
      }
      const seen = `${res.status} ${typeof body === "string" ? body : JSON.stringify(body).slice(0, 300)}`;
      expect(asList(row.status), seen).toContain(res.status);
      expect(res.headers.get("content-type") ?? "", seen).toContain("application/json");
      expect(asList(row.code), seen).toContain(body?.error?.code);
      expect(typeof body?.error?.message, seen).toBe("string");
      expect(body.error.message.trim().length, seen).toBeGreaterThan(0);

      expect(await snapshot(), "stored image files and database rows").toEqual(before);
      const alive = await fetch(`${server.url}/api/providers`, { signal: timeout() });
      await alive.arrayBuffer();
      expect(alive.status).toBe(200);
    });
  }

  it("logged no unexpected (500) errors while refusing all of them", () => {
    expect(server.logs()).not.toMatch(/unexpected error|Unhandled|uncaught/i);
  });
});

// ---------------------------------------------------------------------------------------
// Accepted and normalised.

async function uploadAccepted(bytes: Buffer, filename: string) {
  const before = await snapshot();
  const res = await uploadFile(bytes, filename);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  const after = await snapshot();
  // One original and one thumbnail, one Image row.
  expect(after).toEqual({ ...before, files: before.files + 2, Image: before.Image + 1 });
  const thumb = await download(server.url, `/api/images/${body.id}?variant=thumb`);
  expect(thumb.res.status).toBe(200);
  expect(thumb.res.headers.get("content-type")).toContain("image/webp");
  const meta = await sharp(thumb.bytes).metadata();
  return { body, thumb: thumb.bytes, meta };
}

describe("unusual images: accepted and normalised", () => {
  it("accepts an animated WebP; the thumbnail is its first frame", async () => {
    const { body, thumb, meta } = await uploadAccepted(await animatedWebp(64, 48), "anim.webp");
    expect(body).toMatchObject({ mime: "image/webp", width: 64, height: 48 });
    expect(meta.format).toBe("webp");
    expect([meta.width, meta.height]).toEqual([64, 48]);
    expect(meta.pages ?? 1).toBe(1);
    expect(isRed(await averageColour(thumb))).toBe(true);
  });

  it("accepts an animated PNG (APNG); the thumbnail is its first frame", async () => {
    const { body, thumb, meta } = await uploadAccepted(await animatedPng(64, 48), "anim.png");
    expect(body).toMatchObject({ mime: "image/png", width: 64, height: 48 });
    expect([meta.width, meta.height]).toEqual([64, 48]);
    expect(meta.pages ?? 1).toBe(1);
    expect(isRed(await averageColour(thumb))).toBe(true);
  });

  it("accepts a CMYK JPEG; the thumbnail is sRGB", async () => {
    const { body, thumb, meta } = await uploadAccepted(await cmykJpeg(120, 80), "print.jpg");
    expect(body).toMatchObject({ mime: "image/jpeg", width: 120, height: 80 });
    expect(meta.space).toBe("srgb");
    expect(meta.channels).toBe(3);
    const c = await averageColour(thumb);
    expect(c.r, JSON.stringify(c)).toBeGreaterThan(150);
    expect(c.r - Math.max(c.g, c.b), JSON.stringify(c)).toBeGreaterThan(80);
  });

  it("accepts a 16-bit PNG; the thumbnail is 8-bit", async () => {
    const { body, thumb, meta } = await uploadAccepted(await png16(120, 80), "deep.png");
    expect(body).toMatchObject({ mime: "image/png", width: 120, height: 80 });
    expect(meta.depth).toBe("uchar");
    expect(isBlue(await averageColour(thumb))).toBe(true);
  });

  it("accepts a valid 15 MB PNG (under the 20 MB limit), whole", async () => {
    const png = await hugeFilePng(15 * MB);
    expect(png.length).toBeGreaterThan(10 * MB);
    expect(png.length).toBeLessThan(20 * MB);
    const { body } = await uploadAccepted(png, "big-but-allowed.png");
    expect(body.bytes).toBe(png.length);
    const full = await download(server.url, body.url);
    expect(full.bytes.equals(png)).toBe(true);
  });

  it("accepts an EXIF-rotated JPEG (orientation 6): upright size, upright thumbnail", async () => {
    // Stored 400×200 (landscape), shown 200×400 (portrait): red on top, blue at the bottom.
    const { body, thumb, meta } = await uploadAccepted(await exifRotatedJpeg(400, 200), "phone.jpg");
    expect(body).toMatchObject({ mime: "image/jpeg", width: 200, height: 400 });
    expect(meta.width!).toBeLessThan(meta.height!);
    expect([meta.width, meta.height]).toEqual([200, 400]);
    // No orientation left for a viewer to apply twice.
    expect(meta.orientation ?? 1).toBe(1);
    expect(isRed(await averageColour(thumb, { left: 0.1, top: 0.05, width: 0.8, height: 0.35 }))).toBe(true);
    expect(isBlue(await averageColour(thumb, { left: 0.1, top: 0.6, width: 0.8, height: 0.35 }))).toBe(true);
  });
});
