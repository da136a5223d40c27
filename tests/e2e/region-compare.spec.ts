import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import sharp from "sharp";
import { makePng, unique, uploadPng } from "./helpers";

/**
 * /compare of a region edit: the "Show region" toggle outlines the painted region over every
 * view, and the difference view shows change inside that region only, unless asked for the
 * whole frame.
 */

type Job = { id: string; status: string };

const WIDTH = 900;
const HEIGHT = 600;
const REGION = { x: 300, y: 200, width: 300, height: 200 };

/** A greyscale mask, as an API client would upload one: REGION white on black. */
function rectangleMask(): Promise<Buffer> {
  const raw = Buffer.alloc(WIDTH * HEIGHT);
  for (let y = REGION.y; y < REGION.y + REGION.height; y++) raw.fill(255, y * WIDTH + REGION.x, y * WIDTH + REGION.x + REGION.width);
  return sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer();
}

async function finishedJob(request: APIRequestContext, data: Record<string, unknown>): Promise<string> {
  const created = await request.post("/api/jobs", { data: { provider: "demo", model: "demo", ...data } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as Job;
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");
  return id;
}

/** An input, a region edit of it (the demo engine inverts the whole crop it gets) and a whole-frame edit of it. */
async function edits(request: APIRequestContext) {
  const inputId = await uploadPng(request, await makePng(WIDTH, HEIGHT, 40), "before.png");
  const maskImageId = await uploadPng(request, await rectangleMask(), "mask.png");
  const region = await finishedJob(request, { prompt: unique("invert the region"), inputImageIds: [inputId], maskImageId });
  const plain = await finishedJob(request, { prompt: unique("black and white"), inputImageIds: [inputId] });
  return { inputId, region: `${region}.0`, plain: `${plain}.0` };
}

const compare = (a: string, b: string) => `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;

/**
 * Difference pixels that glow (the highlight style paints change red to amber over a grey
 * "after"; unchanged and letterbox pixels have red ≤ blue), inside the region and outside it
 * with a 2 px margin for the scaled mask's edge. The canvas is B's size, here the input's.
 */
async function glowing(page: Page): Promise<{ inside: number; outside: number }> {
  const canvas = page.getByTestId("diff-canvas");
  await expect(canvas).toHaveAttribute("data-changed", /\d/);
  return canvas.evaluate((element: HTMLCanvasElement, r) => {
    const { width, height } = element;
    const data = element.getContext("2d")!.getImageData(0, 0, width, height).data;
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i]! - data[i + 2]! <= 40) continue;
        const within = (m: number) => x >= r.x + m && x < r.x + r.width - m && y >= r.y + m && y < r.y + r.height - m;
        if (within(2)) inside++;
        else if (!within(-2)) outside++;
      }
    }
    return { inside, outside };
  }, REGION);
}

test("/compare of a region edit against its input outlines the region over every view", async ({ page, request }) => {
  const { inputId, region, plain } = await edits(request);

  await page.goto(compare(inputId, region));
  const toggle = page.getByRole("button", { name: "Show region" });
  const overlay = page.getByTestId("region-overlay");
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await expect(overlay).toHaveCount(0);
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("compare-slider").getByTestId("region-overlay")).toBeVisible();
  await page.getByRole("tab", { name: "Side by side" }).click();
  await expect(overlay).toHaveCount(2);
  await page.getByRole("tab", { name: "Difference" }).click();
  await expect(page.getByTestId("difference-view").getByTestId("region-overlay")).toBeVisible();
  await toggle.click();
  await expect(overlay).toHaveCount(0);

  // Either way round: the output's job has the mask, whichever side it is on.
  await page.goto(compare(region, inputId));
  await expect(page.getByRole("button", { name: "Show region" })).toHaveAttribute("aria-pressed", "false");

  // Without a region on either side there is nothing to show.
  await page.goto(compare(inputId, plain));
  await expect(page.getByTestId("compare-view")).toBeVisible();
  await expect(page.getByRole("button", { name: "Show region" })).toHaveCount(0);
});

test("/compare's difference view shows change inside the painted region only, the whole frame on request", async ({ page, request }) => {
  const { region, plain } = await edits(request);

  // The whole-frame take against the region take: they differ everywhere.
  await page.goto(compare(plain, region));
  await page.getByRole("tab", { name: "Difference" }).click();
  await expect(page.getByTestId("diff-summary")).toContainText("Showing change inside the painted region");
  await expect(page.getByRole("radio", { name: "Region" })).toHaveAttribute("aria-checked", "true");
  const inRegion = await glowing(page);
  expect(inRegion.inside).toBeGreaterThan(REGION.width * REGION.height * 0.5);
  expect(inRegion.outside).toBe(0);

  await page.getByRole("radio", { name: "Whole frame" }).click();
  await expect(page.getByTestId("diff-summary")).not.toContainText("painted region");
  await expect
    .poll(async () => (await glowing(page)).outside)
    .toBeGreaterThan((WIDTH * HEIGHT - REGION.width * REGION.height) * 0.5);
});
