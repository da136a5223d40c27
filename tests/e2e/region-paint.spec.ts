import { expect, type Locator, type Page, test } from "@playwright/test";
import sharp from "sharp";
import { makePng, openStudio, unique, uploadPng } from "./helpers";

/** Issue 12: the designer paints the area to change over the input; the job carries that mask at the input's size. */

// An odd size, so a mask rounded or capped anywhere would not match.
const WIDTH = 1201;
const HEIGHT = 803;

async function openPainter(page: Page): Promise<{ painter: Locator; box: { x: number; y: number; width: number; height: number } }> {
  const id = await uploadPng(page.request, await makePng(WIDTH, HEIGHT), "region.png");
  // The "Continue editing" path: the input arrives through `/?input=`.
  await openStudio(page, `/?input=${id}`);
  await expect(page.getByTestId("input-size")).toHaveText(`${WIDTH} × ${HEIGHT}`);
  await page.getByRole("button", { name: "Paint a region to change" }).click();
  const painter = page.getByRole("group", { name: "Region painter" });
  await expect(painter).toHaveAttribute("data-painted-pixels", "0");
  await expect(painter.getByTestId("region-share")).toHaveText("Region: 0 %");
  const viewport = painter.getByTestId("mask-viewport");
  await viewport.scrollIntoViewIfNeeded();
  await expect(painter.getByRole("img", { name: "Input image to paint on" })).toBeVisible();
  const box = await viewport.boundingBox();
  if (!box) throw new Error("painter not laid out");
  return { painter, box };
}

test("a painted stroke undoes, redoes and goes up with the job as a mask of the input's exact size; the job page shows the region on a full-size result", async ({ page }) => {
  const { painter, box } = await openPainter(page);

  // A horizontal stroke across the middle, from 30 % to 70 % of the width.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 12 });
  await page.mouse.up();
  await expect(painter).not.toHaveAttribute("data-painted-pixels", "0");
  const painted = Number(await painter.getAttribute("data-painted-pixels"));
  expect(painted).toBeGreaterThan(1000);
  await expect(painter.getByTestId("region-share")).not.toHaveText("Region: 0 %");

  // Undo and redo from the keyboard while the painter has focus, then with the buttons.
  await painter.focus();
  await page.keyboard.press("]");
  await expect(painter.getByRole("slider", { name: "Brush size" })).toHaveValue("50");
  await page.keyboard.press("[");
  await expect(painter.getByRole("slider", { name: "Brush size" })).toHaveValue("40");
  await page.keyboard.press("ControlOrMeta+z");
  await expect(painter).toHaveAttribute("data-painted-pixels", "0");
  await page.keyboard.press("Shift+ControlOrMeta+z");
  await expect(painter).toHaveAttribute("data-painted-pixels", String(painted));
  await painter.getByRole("button", { name: "Undo" }).click();
  await expect(painter).toHaveAttribute("data-painted-pixels", "0");
  await painter.getByRole("button", { name: "Redo" }).click();
  await expect(painter).toHaveAttribute("data-painted-pixels", String(painted));

  // The studio submits through a server action (or the JSON API); either way the recipe names the mask.
  let sent: string | null = null;
  await page.route("**/*", async (route) => {
    const request = route.request();
    if (request.method() === "POST" && (request.headers()["next-action"] || new URL(request.url()).pathname === "/api/jobs")) {
      sent = request.postData() ?? "";
    }
    await route.fallback();
  });
  await page.getByLabel("Instruction").fill(unique("Turn the stripe into brass"));
  await page.getByRole("button", { name: /Edit image/ }).click();
  await expect.poll(() => sent).toMatch(/"maskImageId":"[0-9A-Z]{26}"/);
  const maskId = /"maskImageId":"([0-9A-Z]{26})"/.exec(sent!)![1]!;

  const response = await page.request.get(`/api/images/${maskId}`);
  expect(response.status()).toBe(200);
  const bytes = await response.body();
  const meta = await sharp(bytes).metadata();
  expect([meta.width, meta.height]).toEqual([WIDTH, HEIGHT]);
  // What the server reads: the alpha channel if there is one, else the grey level.
  const channel = meta.hasAlpha ? sharp(bytes).extractChannel("alpha") : sharp(bytes).greyscale();
  const mask = await channel.raw().toBuffer();
  const at = (x: number, y: number) => mask[Math.round(y) * WIDTH + Math.round(x)]!;
  expect(at(WIDTH * 0.5, HEIGHT * 0.5)).toBeGreaterThan(200);
  expect(at(WIDTH * 0.32, HEIGHT * 0.5)).toBeGreaterThan(0);
  expect(at(5, 5)).toBe(0);
  expect(at(WIDTH * 0.5, HEIGHT * 0.05)).toBe(0);

  // From the studio to the job page: the edit finishes, changed nothing outside the stroke,
  // outlines the region on request, and gives back the whole image, not the region's crop.
  await page.getByTestId("submitted-notice").getByRole("link", { name: "View job" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  const jobId = new URL(page.url()).pathname.split("/").pop()!;
  expect((await (await page.request.get(`/api/jobs/${jobId}`)).json()).mask.imageId).toBe(maskId);
  await expect(page.getByTestId("output-change")).toContainText("nothing outside the painted region", { timeout: 20_000 });
  const toggle = page.getByRole("button", { name: "Show region" });
  await expect(page.getByTestId("region-overlay")).toHaveCount(0);
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("region-overlay")).toBeVisible();
  await page.getByRole("tab", { name: "Result" }).click();
  await expect(page.getByTestId("region-overlay")).toBeVisible();
  const result = page.getByTestId("result-image");
  await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(WIDTH);
  expect(await result.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(HEIGHT);
});

for (const theme of ["dark", "light"] as const) {
  test(`${theme} theme: the painter shows its tools and a rectangle fill over the image`, async ({ page }) => {
    await page.addInitScript((value) => localStorage.setItem("atelier-theme", value), theme);
    const { painter, box } = await openPainter(page);
    await expect(page.locator("html")).toHaveClass(new RegExp(`\\b${theme}\\b`));
    await painter.getByRole("radio", { name: "Rectangle" }).click();
    await expect(painter.getByRole("radio", { name: "Rectangle" })).toHaveAttribute("aria-checked", "true");
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.75, { steps: 5 });
    await page.mouse.up();
    // Half the width by half the height: about a quarter of the image.
    await expect(painter.getByTestId("region-share")).toHaveText(/Region: 2[4-6] %/);
    await painter.getByRole("button", { name: "Invert" }).click();
    await expect(painter.getByTestId("region-share")).toHaveText(/Region: 7[4-6] %/);
    await painter.screenshot({ path: test.info().outputPath(`painter-${theme}.png`) });
    await page.screenshot({ path: test.info().outputPath(`studio-${theme}.png`) });
  });
}

test.describe("on a phone", () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test("a finger paints, and two fingers zoom without painting", async ({ page }) => {
    const { painter, box } = await openPainter(page);
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", points: { x: number; y: number }[]) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points.map((p, id) => ({ x: p.x, y: p.y, id })) });
    const y = box.y + box.height * 0.5;

    await touch("touchStart", [{ x: box.x + box.width * 0.2, y }]);
    for (let i = 1; i <= 8; i++) await touch("touchMove", [{ x: box.x + box.width * (0.2 + i * 0.05), y }]);
    await touch("touchEnd", []);
    await expect(painter).not.toHaveAttribute("data-painted-pixels", "0");
    const painted = await painter.getAttribute("data-painted-pixels");

    // Pinch out around the middle: the view zooms in and the region stays as painted.
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height * 0.3;
    await touch("touchStart", [{ x: cx - 20, y: cy }]);
    await touch("touchStart", [{ x: cx - 20, y: cy }, { x: cx + 20, y: cy }]);
    for (let i = 1; i <= 6; i++) await touch("touchMove", [{ x: cx - 20 - i * 12, y: cy }, { x: cx + 20 + i * 12, y: cy }]);
    await touch("touchEnd", []);
    await expect(painter.getByText(/^(?!100%)\d+%$/)).toBeVisible();
    await expect(painter).toHaveAttribute("data-painted-pixels", painted!);
  });
});
