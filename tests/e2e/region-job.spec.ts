import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import sharp from "sharp";
import { makePng, unique, uploadPng } from "./helpers";

/**
 * A region edit's job page: it says how much changed and that nothing changed outside the
 * painted region, outlines the region over the comparison on request, and the result keeps
 * the input's full size.
 */

type Job = {
  id: string;
  status: string;
  prompt: string;
  seed: number;
  inputs: { imageId: string }[];
  mask: { imageId: string } | null;
  outputs: { imageId: string; url: string }[];
};

const WIDTH = 900;
const HEIGHT = 600;

/** A greyscale mask, as an API client would upload one: a white rectangle on black. */
function rectangleMask(): Promise<Buffer> {
  const raw = Buffer.alloc(WIDTH * HEIGHT);
  for (let y = 200; y < 400; y++) raw.fill(255, y * WIDTH + 300, y * WIDTH + 600);
  return sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer();
}

/** A finished region edit of a fresh input, or `again` that job's recipe (input, mask, prompt, seed). */
async function regionJob(request: APIRequestContext, again?: Job): Promise<Job> {
  const recipe = again
    ? { prompt: again.prompt, seed: again.seed, inputImageIds: [again.inputs[0]!.imageId], maskImageId: again.mask!.imageId }
    : {
        prompt: unique("region job"),
        inputImageIds: [await uploadPng(request, await makePng(WIDTH, HEIGHT, 40), "before.png")],
        maskImageId: await uploadPng(request, await rectangleMask(), "mask.png"),
      };
  const created = await request.post("/api/jobs", { data: { provider: "demo", model: "demo", ...recipe } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as Job;
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");
  return (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
}

test("a region edit's page says nothing changed outside the region and shows the region on request", async ({ page, request }) => {
  const { id } = await regionJob(request);

  await page.goto(`/jobs/${id}`);
  const change = page.getByTestId("output-change");
  await expect(change).toContainText(/Changed (under 1|\d+) % of the image/);
  await expect(change).toContainText("nothing outside the painted region");

  const toggle = page.getByRole("button", { name: "Show region" });
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await expect(page.getByTestId("region-overlay")).toHaveCount(0);
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("region-overlay")).toBeVisible();
  // It follows every view, not only the slider.
  await page.getByRole("tab", { name: "Side by side" }).click();
  await expect(page.getByTestId("region-overlay")).toHaveCount(2);
  await page.getByRole("tab", { name: "Result" }).click();
  await expect(page.getByTestId("region-overlay")).toBeVisible();
  await toggle.click();
  await expect(page.getByTestId("region-overlay")).toHaveCount(0);

  // The result is the input's full size, not a crop of the region.
  const result = page.getByTestId("result-image");
  await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(WIDTH);
  expect(await result.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(HEIGHT);

  // The difference keeps to the painted region, what the edit was asked to change.
  await page.getByRole("tab", { name: "Difference" }).click();
  await expect(page.getByTestId("diff-summary")).toContainText("Showing change inside the painted region");
  await expect(page.getByRole("radio", { name: "Whole frame" })).toHaveAttribute("aria-checked", "false");
});

/** The shown pane as packed RGB, one pixel per CSS pixel (the tests run at device scale 1). */
type Shot = { data: Buffer; width: number; height: number };

async function paneShot(page: Page): Promise<Shot> {
  const png = await page.getByTestId("compare-view").locator("[data-zoom-box]").screenshot();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** How far the overlay moved a pixel from what the image shows there: the largest channel difference. */
function moved(shown: Shot, plain: Shot, x: number, y: number): number {
  const i = (Math.round(y) * shown.width + Math.round(x)) * 3;
  return Math.max(...[0, 1, 2].map((c) => Math.abs(shown.data[i + c]! - plain.data[i + c]!)));
}

/**
 * Across the region's edge at (x, y), along `axis`, 10 px either way: the strongest change,
 * how many pixels changed clearly (the line's width) and the most the pixels 10 px off changed.
 */
function across(shown: Shot, plain: Shot, x: number, y: number, axis: "x" | "y") {
  const profile = Array.from({ length: 21 }, (_, k) => (axis === "x" ? moved(shown, plain, x + k - 10, y) : moved(shown, plain, x, y + k - 10)));
  return { peak: Math.max(...profile), width: profile.filter((d) => d > 40).length, off: Math.max(profile[0]!, profile[20]!) };
}

/** The region's centre and its left and top edges in pane pixels, at fit zoomed by `scale` about the centre. */
function regionIn(shot: Shot, scale = 1) {
  const at = (fraction: number, size: number) => size / 2 + scale * (fraction * size - size / 2);
  return {
    centre: { x: at(450 / WIDTH, shot.width), y: at(300 / HEIGHT, shot.height) },
    left: { x: at(300 / WIDTH, shot.width), y: at(300 / HEIGHT, shot.height) },
    top: { x: at(450 / WIDTH, shot.width), y: at(200 / HEIGHT, shot.height) },
  };
}

/** Shows the region, then checks it is a thin line on the edge over the image's own pixels, at `scale`. */
async function expectOutline(page: Page, plain: Shot, scale: number) {
  await page.getByRole("button", { name: "Show region" }).click();
  const region = regionIn(plain, scale);
  let shown = plain;
  // The contour is traced once the mask has loaded.
  await expect
    .poll(async () => {
      shown = await paneShot(page);
      return across(shown, plain, region.left.x, region.left.y, "x").peak;
    })
    .toBeGreaterThan(80);
  for (const [edge, axis] of [[region.left, "x"], [region.top, "y"]] as const) {
    const line = across(shown, plain, edge.x, edge.y, axis);
    expect(line.peak).toBeGreaterThan(80);
    // Thin at any zoom: drawn at screen resolution, not scaled with the image.
    expect(line.width).toBeGreaterThan(0);
    expect(line.width).toBeLessThanOrEqual(6);
    expect(line.off).toBeLessThanOrEqual(32);
  }
  // Well inside, the result's own colours, under at most a faint tint.
  for (const [dx, dy] of [[0, 0], [-20, -10], [20, 10]] as const) {
    expect(moved(shown, plain, region.centre.x + dx, region.centre.y + dy)).toBeLessThanOrEqual(32);
  }
  await page.getByRole("button", { name: "Show region" }).click();
  await expect(page.getByTestId("region-overlay")).toHaveCount(0);
}

test("'Show region' outlines the painted region and leaves its pixels to judge, zoomed too", async ({ page, request }) => {
  const { id } = await regionJob(request);
  await page.goto(`/jobs/${id}`);
  await page.getByRole("tab", { name: "Result" }).click();
  const result = page.getByTestId("result-image");
  await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(WIDTH);

  await expectOutline(page, await paneShot(page), 1);

  // Zoomed in about the centre, the line follows the edge to where it moved.
  const percent = async () => Number.parseInt((await page.getByTestId("zoom-readout").textContent()) ?? "", 10);
  const fit = await percent();
  for (let i = 0; i < 3; i++) await page.keyboard.press("+");
  await expect.poll(percent).toBeGreaterThanOrEqual(Math.floor(fit * 1.25 ** 3) - 1);
  await expectOutline(page, await paneShot(page), 1.25 ** 3);
});

test("the job page's full-page comparison opens this job's output, with its region, when another job made the same image", async ({ page, request }) => {
  const first = await regionJob(request);
  // The same recipe again makes the same bytes, stored once: only the output ref tells the two jobs apart.
  const again = await regionJob(request, first);
  expect(again.outputs[0]!.imageId).toBe(first.outputs[0]!.imageId);

  await page.goto(`/jobs/${again.id}`);
  await page.getByRole("link", { name: "Open the full-page comparison" }).click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?a=${again.inputs[0]!.imageId}&b=${again.id}\\.0&`));
  await expect(page.getByTestId("compare-side-b").getByRole("link", { name: "Open job" })).toHaveAttribute("href", `/jobs/${again.id}`);
  await expect(page.getByRole("button", { name: "Show region" })).toBeVisible();
});

test("an ordinary edit names its change without a region and offers no region toggle", async ({ page, request }) => {
  const inputId = await uploadPng(request, await makePng(WIDTH, HEIGHT, 90), "before.png");
  const created = await request.post("/api/jobs", { data: { provider: "demo", prompt: unique("plain job"), inputImageIds: [inputId] } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as Job;
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");

  await page.goto(`/jobs/${id}`);
  await expect(page.getByTestId("output-change")).toContainText(/Changed (under 1|\d+) % of the image/);
  await expect(page.getByTestId("output-change")).not.toContainText("painted region");
  await expect(page.getByTestId("compare-view")).toBeVisible();
  await expect(page.getByRole("button", { name: "Show region" })).toHaveCount(0);
  await page.getByRole("tab", { name: "Difference" }).click();
  await expect(page.getByTestId("diff-summary")).toContainText("of pixels changed");
  await expect(page.getByRole("radio", { name: "Whole frame" })).toHaveCount(0);
});
