/**
 * Region masks painted in the studio. The mask lives in a canvas's alpha channel (0 = keep,
 * 255 = may change); the colour is only what the overlay shows.
 */

/** Past this many pixels the mask is painted smaller and scaled up on export (memory and stroke speed). */
export const MASK_MAX_PIXELS = 16_000_000;
export const MASK_COLOUR = "244, 63, 94";

export type Point = { x: number; y: number };

/** The mask canvas size for an input: its own size, or scaled down to MASK_MAX_PIXELS. */
export function maskSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, Math.sqrt(MASK_MAX_PIXELS / (width * height)));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** How many undo snapshots fit in about 256 MB (at least 3, at most 30). */
export function undoDepth(width: number, height: number): number {
  return Math.max(3, Math.min(30, Math.floor(256e6 / (width * height * 4))));
}

/** One soft round dab: opaque to (1 - softness) of the radius, fading to nothing at the edge. */
export function stamp(ctx: CanvasRenderingContext2D, at: Point, radius: number, softness: number, erase: boolean) {
  const inner = Math.max(0, Math.min(0.999, 1 - softness)) * radius;
  const gradient = ctx.createRadialGradient(at.x, at.y, inner, at.x, at.y, radius);
  gradient.addColorStop(0, `rgba(${MASK_COLOUR}, 1)`);
  gradient.addColorStop(1, `rgba(${MASK_COLOUR}, 0)`);
  ctx.globalCompositeOperation = erase ? "destination-out" : "source-over";
  ctx.fillStyle = gradient;
  ctx.beginPath();
  ctx.arc(at.x, at.y, radius, 0, Math.PI * 2);
  ctx.fill();
  ctx.globalCompositeOperation = "source-over";
}

/** Dabs from `from` to `to`, close enough that a fast stroke stays a line rather than beads. */
export function strokeSegment(ctx: CanvasRenderingContext2D, from: Point, to: Point, radius: number, softness: number, erase: boolean) {
  const spacing = Math.max(1, radius * 0.2);
  const steps = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / spacing));
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    stamp(ctx, { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }, radius, softness, erase);
  }
}

/** Fills (or clears) a polygon: a rectangle's four corners or a lasso's path. */
export function fillPolygon(ctx: CanvasRenderingContext2D, points: Point[], erase: boolean) {
  if (points.length < 3) return;
  ctx.globalCompositeOperation = erase ? "destination-out" : "source-over";
  ctx.fillStyle = `rgb(${MASK_COLOUR})`;
  ctx.beginPath();
  ctx.moveTo(points[0]!.x, points[0]!.y);
  for (const p of points.slice(1)) ctx.lineTo(p.x, p.y);
  ctx.closePath();
  ctx.fill();
  ctx.globalCompositeOperation = "source-over";
}

export function rectPoints(a: Point, b: Point): Point[] {
  return [a, { x: b.x, y: a.y }, b, { x: a.x, y: b.y }];
}

/** Swaps painted and unpainted: alpha becomes 255 - alpha. */
export function invertMask(ctx: CanvasRenderingContext2D) {
  const { width, height } = ctx.canvas;
  const data = ctx.getImageData(0, 0, width, height);
  const px = data.data;
  for (let i = 0; i < px.length; i += 4) {
    const a = 255 - px[i + 3]!;
    px[i] = 244;
    px[i + 1] = 63;
    px[i + 2] = 94;
    px[i + 3] = a;
  }
  ctx.putImageData(data, 0, 0);
}

/** How many mask pixels are painted at all (alpha > 0). */
export function paintedPixels(ctx: CanvasRenderingContext2D): number {
  const { width, height } = ctx.canvas;
  const px = ctx.getImageData(0, 0, width, height).data;
  let count = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) count++;
  return count;
}

/**
 * The mask as the API takes it: a PNG of exactly the input's size, white with the blend in alpha
 * (so a reader of either alpha or luminance sees the same region).
 */
export function exportMaskPng(mask: HTMLCanvasElement, width: number, height: number): Promise<Blob> {
  const out = document.createElement("canvas");
  out.width = width;
  out.height = height;
  const ctx = out.getContext("2d");
  if (!ctx) return Promise.reject(new Error("No 2D canvas"));
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(mask, 0, 0, width, height);
  ctx.globalCompositeOperation = "source-in";
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  return new Promise((resolve, reject) => out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The mask couldn't be encoded"))), "image/png"));
}

/**
 * Whether a mask file has an alpha channel, as the server's decoder reports it (sharp's
 * hasAlpha): PNG grey+alpha or RGBA or a tRNS chunk, WebP with its alpha flag; JPEG never.
 * A browser decode can't tell: an opaque alpha channel looks the same as none.
 */
export function hasAlphaChannel(bytes: Uint8Array): boolean {
  const ascii = (at: number, length = 4) => String.fromCharCode(...bytes.subarray(at, at + length));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length > 33 && bytes[0] === 0x89 && ascii(1, 3) === "PNG") {
    if (bytes[25] === 4 || bytes[25] === 6) return true;
    // Chunks: length, type, data, CRC. Transparency comes before the first image data.
    for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) {
      const type = ascii(at + 4);
      if (type === "tRNS") return true;
      if (type === "IDAT" || type === "IEND") return false;
    }
    return false;
  }
  if (bytes.length > 25 && ascii(0) === "RIFF" && ascii(8) === "WEBP") {
    const chunk = ascii(12);
    if (chunk === "VP8X") return (bytes[20]! & 0x10) !== 0;
    if (chunk === "VP8L") return ((view.getUint32(21, true) >>> 28) & 1) === 1;
  }
  return false;
}

/** sRGB byte to linear light, for each byte value. */
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
const toSrgb = (y: number) => Math.round(255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055));

/**
 * Draws a stored mask into the painter's canvas as its alpha, read as the server reads it
 * (lib/region/mask.ts): upright, the alpha channel if the file has one, else its luminance
 * (libvips' b-w: Rec. 709 weights in linear light). False when the mask isn't `size`.
 */
export async function drawStoredMask(ctx: CanvasRenderingContext2D, file: Blob, size: { width: number; height: number }): Promise<boolean> {
  const alpha = hasAlphaChannel(new Uint8Array(await file.arrayBuffer()));
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image", premultiplyAlpha: "none", colorSpaceConversion: "none" });
  const { width, height } = bitmap;
  if (width !== size.width || height !== size.height) {
    bitmap.close();
    return false;
  }
  const full = document.createElement("canvas");
  full.width = width;
  full.height = height;
  const fullCtx = full.getContext("2d", { willReadFrequently: true });
  if (!fullCtx) throw new Error("No 2D canvas");
  fullCtx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = fullCtx.getImageData(0, 0, width, height);
  const px = data.data;
  for (let i = 0; i < px.length; i += 4) {
    const value = alpha ? px[i + 3]! : toSrgb(0.2126 * LINEAR[px[i]!]! + 0.7152 * LINEAR[px[i + 1]!]! + 0.0722 * LINEAR[px[i + 2]!]!);
    px[i] = 244;
    px[i + 1] = 63;
    px[i + 2] = 94;
    px[i + 3] = value;
  }
  const { canvas } = ctx;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (canvas.width === width && canvas.height === height) {
    ctx.putImageData(data, 0, 0);
  } else {
    // A mask past MASK_MAX_PIXELS is painted smaller, as a fresh one would be.
    fullCtx.putImageData(data, 0, 0);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(full, 0, 0, canvas.width, canvas.height);
  }
  return true;
}
