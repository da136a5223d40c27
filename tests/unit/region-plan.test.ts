import { describe, expect, it } from "vitest";
import { CATALOG, MATCH_INPUT, type AspectRatio, type ModelSpec } from "@/lib/catalog";
import { kontextSize, nearestRatio, ratioValue } from "@/lib/sizes";
import { planRegion, type RegionPlan } from "@/lib/region/plan";
import type { Rect } from "@/lib/region/pixels";

const models: ModelSpec[] = Object.values(CATALOG).flatMap((provider): readonly ModelSpec[] => provider.models);

function expectSound(plan: RegionPlan, painted: Rect, image: { width: number; height: number }, allowed: readonly string[]) {
  const { rect } = plan;
  expect(allowed).toContain(plan.ratio);
  expect(plan.size).toEqual(kontextSize(plan.ratio));
  expect(Number.isInteger(rect.x) && Number.isInteger(rect.y) && Number.isInteger(rect.width) && Number.isInteger(rect.height)).toBe(true);
  // Inside the image…
  expect(rect.x).toBeGreaterThanOrEqual(0);
  expect(rect.y).toBeGreaterThanOrEqual(0);
  expect(rect.x + rect.width).toBeLessThanOrEqual(image.width);
  expect(rect.y + rect.height).toBeLessThanOrEqual(image.height);
  // …and holding everything painted.
  expect(rect.x).toBeLessThanOrEqual(painted.x);
  expect(rect.y).toBeLessThanOrEqual(painted.y);
  expect(rect.x + rect.width).toBeGreaterThanOrEqual(painted.x + painted.width);
  expect(rect.y + rect.height).toBeGreaterThanOrEqual(painted.y + painted.height);
}

/** |log(crop ratio / model ratio)|: 0 when the crop is exactly in the ratio sent. */
const distortion = (plan: RegionPlan) => Math.abs(Math.log(plan.rect.width / plan.rect.height / ratioValue(plan.ratio)));

describe("planning the crop sent for a region edit", () => {
  const cases: { image: { width: number; height: number }; painted: Rect }[] = [
    { image: { width: 4000, height: 3000 }, painted: { x: 1800, y: 1400, width: 120, height: 90 } },
    { image: { width: 4000, height: 3000 }, painted: { x: 0, y: 0, width: 40, height: 700 } },
    { image: { width: 4000, height: 3000 }, painted: { x: 3990, y: 2100, width: 10, height: 900 } },
    { image: { width: 3000, height: 4000 }, painted: { x: 500, y: 3950, width: 2000, height: 50 } },
    { image: { width: 333, height: 517 }, painted: { x: 160, y: 250, width: 3, height: 3 } },
    { image: { width: 6000, height: 4000 }, painted: { x: 1000, y: 1000, width: 3000, height: 1500 } },
  ];

  it("gives every model a crop in one of its ratios, at that ratio's working size, inside the image, holding the painted box", () => {
    for (const model of models) {
      const allowed = model.aspectRatios.filter((r) => r !== MATCH_INPUT);
      for (const { image, painted } of cases) {
        const plan = planRegion(painted, image, model.aspectRatios);
        expectSound(plan, painted, image, allowed);
        // Every case here leaves room for a crop in true proportion (to the rounding pixel).
        expect(distortion(plan), `${model.id} ${JSON.stringify(painted)}`).toBeLessThan(0.01);
      }
    }
  });

  it("sends a small region with far more detail than the whole frame, with context around it", () => {
    const painted = { x: 1800, y: 1400, width: 120, height: 90 };
    const plan = planRegion(painted, { width: 4000, height: 3000 }, ["1:1", "4:3", "16:9"]);
    expect(plan.ratio).toBe("4:3");
    expect(plan.size).toEqual({ width: 1184, height: 880 });
    expect(plan.rect.width).toBeLessThanOrEqual(400);
    // At least 32 px of context on every side of the painted box.
    expect(painted.x - plan.rect.x).toBeGreaterThanOrEqual(32);
    expect(plan.rect.x + plan.rect.width - (painted.x + painted.width)).toBeGreaterThanOrEqual(32);
    expect(painted.y - plan.rect.y).toBeGreaterThanOrEqual(32);
    expect(plan.rect.y + plan.rect.height - (painted.y + painted.height)).toBeGreaterThanOrEqual(32);
  });

  it("picks the ratio that fits the painted shape: tall for a tall stroke, wide for a wide one", () => {
    const image = { width: 4000, height: 3000 };
    const kontext = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "9:21"] as const;
    expect(ratioValue(planRegion({ x: 2000, y: 500, width: 60, height: 1500 }, image, kontext).ratio)).toBeLessThan(0.7);
    expect(ratioValue(planRegion({ x: 500, y: 1500, width: 2000, height: 60 }, image, kontext).ratio)).toBeGreaterThan(1.7);
  });

  it("moves a crop at the border inside the image instead of cutting it", () => {
    const image = { width: 4000, height: 3000 };
    for (const painted of [
      { x: 0, y: 1400, width: 50, height: 50 },
      { x: 3950, y: 1400, width: 50, height: 50 },
      { x: 2000, y: 0, width: 50, height: 50 },
      { x: 2000, y: 2950, width: 50, height: 50 },
      { x: 3950, y: 2950, width: 50, height: 50 },
    ]) {
      const plan = planRegion(painted, image, ["1:1", "4:3"]);
      expectSound(plan, painted, image, ["1:1", "4:3"]);
      expect(distortion(plan)).toBeLessThan(0.01);
      expect(plan.rect.width).toBeGreaterThanOrEqual(256);
    }
  });

  it("sends the whole image for a whole-image mask, in the allowed ratio closest to it", () => {
    for (const model of models) {
      for (const image of [{ width: 4000, height: 3000 }, { width: 333, height: 517 }, { width: 6000, height: 2000 }, { width: 17, height: 13 }]) {
        const whole = { x: 0, y: 0, ...image };
        const plan = planRegion(whole, image, model.aspectRatios);
        expect(plan.rect).toEqual(whole);
        expect(plan.ratio).toBe(nearestRatio(image.width, image.height, model.aspectRatios));
      }
    }
  });

  it("copes with images smaller than the crop it would like, or narrower than any ratio", () => {
    const allowed: AspectRatio[] = ["1:1", "16:9", "21:9"];
    const cases = [
      { image: { width: 120, height: 80 }, painted: { x: 50, y: 30, width: 10, height: 10 } },
      { image: { width: 3000, height: 100 }, painted: { x: 1400, y: 20, width: 60, height: 40 } },
      { image: { width: 3000, height: 100 }, painted: { x: 1000, y: 0, width: 900, height: 100 } },
      { image: { width: 40, height: 2000 }, painted: { x: 0, y: 900, width: 40, height: 5 } },
      { image: { width: 1, height: 1 }, painted: { x: 0, y: 0, width: 1, height: 1 } },
    ];
    for (const { image, painted } of cases) expectSound(planRegion(painted, image, allowed), painted, image, allowed);
    // Where the strip allows a 21:9 crop holding the box, that is what is sent.
    const strip = planRegion(cases[1]!.painted, cases[1]!.image, allowed);
    expect(strip.ratio).toBe("21:9");
    expect(strip.rect.height).toBe(100);
    expect(distortion(strip)).toBeLessThan(0.01);
  });
});
