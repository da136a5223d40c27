import { loadImage, maskCoverage } from "./mask-pixels";

/** Read a mask at most this many pixels on the long side: a 24 MP mask costs what a 3 MP one does. */
const MAX_SIDE = 2048;
/** The contour follows where the mask crosses half strength, where the server's blend does too. */
const LEVEL = 127.5;

/**
 * The region's edge as line segments (x1, y1, x2, y2 in sample units, a sample spanning
 * [i, i + 1]) by marching squares over `values` (0–255, row-major). Outside the grid counts
 * as unpainted, so a region reaching the frame closes along it. Corners are interpolated, so
 * the line runs smooth, not stair-stepped, when zoomed in.
 */
export function contourSegments(values: ArrayLike<number>, width: number, height: number): Float32Array {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : values[y * width + x]!);
  const out: number[] = [];
  // Where the level crosses between two samples' centres a and b, as a fraction from a.
  const cross = (a: number, b: number) => (LEVEL - a) / (b - a);
  for (let j = -1; j < height; j++) {
    for (let i = -1; i < width; i++) {
      const tl = at(i, j);
      const tr = at(i + 1, j);
      const br = at(i + 1, j + 1);
      const bl = at(i, j + 1);
      const index = (tl > LEVEL ? 8 : 0) | (tr > LEVEL ? 4 : 0) | (br > LEVEL ? 2 : 0) | (bl > LEVEL ? 1 : 0);
      if (index === 0 || index === 15) continue;
      const x = i + 0.5;
      const y = j + 0.5;
      const top = () => [x + cross(tl, tr), y];
      const right = () => [x + 1, y + cross(tr, br)];
      const bottom = () => [x + cross(bl, br), y + 1];
      const left = () => [x, y + cross(tl, bl)];
      const line = (p: () => number[], q: () => number[]) => out.push(...p(), ...q());
      // A saddle (two opposite corners painted) joins them when the cell's centre is painted too.
      const centre = (tl + tr + br + bl) / 4 > LEVEL;
      switch (index) {
        case 1:
        case 14:
          line(left, bottom);
          break;
        case 2:
        case 13:
          line(bottom, right);
          break;
        case 3:
        case 12:
          line(left, right);
          break;
        case 4:
        case 11:
          line(top, right);
          break;
        case 6:
        case 9:
          line(top, bottom);
          break;
        case 7:
        case 8:
          line(left, top);
          break;
        case 5:
          line(centre ? left : top, centre ? top : right);
          line(centre ? bottom : left, centre ? right : bottom);
          break;
        case 10:
          line(centre ? top : left, centre ? right : top);
          line(centre ? left : bottom, centre ? bottom : right);
          break;
      }
    }
  }
  return Float32Array.from(out);
}

/** A mask's edge, drawn into a box by scaling x by the mask's displayed width and y by its height. */
export type Contour = { path: Path2D; ratio: number };

async function traceContour(url: string): Promise<Contour> {
  const image = await loadImage(url);
  const k = Math.min(1, MAX_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
  const width = Math.max(1, Math.round(image.naturalWidth * k));
  const height = Math.max(1, Math.round(image.naturalHeight * k));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("Canvas is not available");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(image, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const strength = new Float32Array(width * height);
  for (let p = 0, i = 0; p < strength.length; p++, i += 4) strength[p] = maskCoverage(rgba, i) / 255;
  const segments = contourSegments(strength, width, height);
  // In fractions of the mask, so one path serves every pane at any size.
  const path = new Path2D();
  for (let s = 0; s < segments.length; s += 4) {
    path.moveTo(segments[s]! / width, segments[s + 1]! / height);
    path.lineTo(segments[s + 2]! / width, segments[s + 3]! / height);
  }
  return { path, ratio: image.naturalWidth / image.naturalHeight };
}

const traced = new Map<string, Promise<Contour>>();

/** Traced once per mask: the panes of side by side and every mode switch share it. */
export function loadContour(url: string): Promise<Contour> {
  let contour = traced.get(url);
  if (!contour) {
    contour = traceContour(url);
    traced.set(url, contour);
    contour.catch(() => traced.delete(url));
  }
  return contour;
}
