import { expect, test } from "@playwright/test";
import sharp from "sharp";
import { makePng, unique, uploadPng } from "./helpers";

/**
 * A region edit's job page: it says how much changed and that nothing changed outside the
 * painted region, outlines the region over the comparison on request, and the result keeps
 * the input's full size.
 */

type Job = { id: string; status: string; outputs: { url: string }[] };

const WIDTH = 900;
const HEIGHT = 600;

/** A greyscale mask, as an API client would upload one: a white rectangle on black. */
function rectangleMask(): Promise<Buffer> {
  const raw = Buffer.alloc(WIDTH * HEIGHT);
  for (let y = 200; y < 400; y++) raw.fill(255, y * WIDTH + 300, y * WIDTH + 600);
  return sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer();
}

test("a region edit's page says nothing changed outside the region and shows the region on request", async ({ page, request }) => {
  const inputId = await uploadPng(request, await makePng(WIDTH, HEIGHT, 40), "before.png");
  const maskImageId = await uploadPng(request, await rectangleMask(), "mask.png");
  const created = await request.post("/api/jobs", {
    data: { provider: "demo", model: "demo", prompt: unique("region job"), inputImageIds: [inputId], maskImageId },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as Job;
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");

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
