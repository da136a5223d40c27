import { describe, expect, it } from "vitest";
import { contourSegments } from "@/components/compare/region-contour";

/** A width × height mask (0/255) painted where `painted(x, y)`. */
function mask(width: number, height: number, painted: (x: number, y: number) => boolean): Uint8Array {
  const values = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values[y * width + x] = painted(x, y) ? 255 : 0;
  return values;
}

function points(segments: Float32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < segments.length; i += 2) out.push([segments[i]!, segments[i + 1]!]);
  return out;
}

function length(segments: Float32Array): number {
  let total = 0;
  for (let i = 0; i < segments.length; i += 4) total += Math.hypot(segments[i + 2]! - segments[i]!, segments[i + 3]! - segments[i + 1]!);
  return total;
}

/** Whether (x, y) lies on the outline of the rectangle [x0, x1] × [y0, y1], within `slack`. */
const onRectangle = ([x, y]: [number, number], x0: number, y0: number, x1: number, y1: number, slack = 0.75) =>
  x >= x0 - slack &&
  x <= x1 + slack &&
  y >= y0 - slack &&
  y <= y1 + slack &&
  (Math.abs(x - x0) <= slack || Math.abs(x - x1) <= slack || Math.abs(y - y0) <= slack || Math.abs(y - y1) <= slack);

describe("the region outline", () => {
  it("runs along a painted rectangle's edge and nowhere else", () => {
    // Pixels 10..29 × 5..14 painted: their edge is x 10 and 30, y 5 and 15.
    const segments = contourSegments(mask(40, 20, (x, y) => x >= 10 && x < 30 && y >= 5 && y < 15), 40, 20);
    expect(segments.length).toBeGreaterThan(0);
    for (const point of points(segments)) expect(onRectangle(point, 10, 5, 30, 15)).toBe(true);
    // All the way round (the corners are cut by half a pixel each).
    expect(length(segments)).toBeGreaterThan(2 * (20 + 10) - 4);
    expect(length(segments)).toBeLessThan(2 * (20 + 10) + 1);
  });

  it("closes along the frame where the region reaches it", () => {
    const segments = contourSegments(mask(20, 10, (x) => x < 8), 20, 10);
    for (const point of points(segments)) expect(onRectangle(point, 0, 0, 8, 10)).toBe(true);
    expect(points(segments).some(([x]) => x === 0)).toBe(true);
    expect(length(segments)).toBeGreaterThan(2 * (8 + 10) - 4);
  });

  it("finds nothing to outline in an empty mask and follows soft edges at half strength", () => {
    expect(contourSegments(new Uint8Array(100), 10, 10).length).toBe(0);
    // A ramp 0 → 255 across x: half strength lies between columns 4 and 5 (centres 4.5 and 5.5);
    // the other vertical line is the frame's right edge, where the painted side ends.
    const ramp = Uint8Array.from({ length: 100 }, (_, i) => Math.round(((i % 10) / 9) * 255));
    const xs = points(contourSegments(ramp, 10, 10))
      .filter(([x, y]) => y > 0.5 && y < 9.5 && x < 9.5)
      .map(([x]) => x);
    expect(xs.length).toBeGreaterThan(0);
    for (const x of xs) expect(x).toBeCloseTo(5, 1);
  });
});
