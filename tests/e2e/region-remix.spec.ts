import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import sharp from "sharp";
import { makePng, openStudio, unique, uploadPng } from "./helpers";

/**
 * Issue 12: a region edit's remix opens the studio with the job's region in the painter, so
 * sending it as it is changes the same region; the designer can still change or clear it.
 */

type Job = { id: string; status: string; prompt: string; mask: { imageId: string } | null; region: { x: number; y: number; width: number; height: number } | null };

const WIDTH = 900;
const HEIGHT = 600;
const FEATHER = 40;

/**
 * A greyscale mask as an API client would upload one: a rectangle whose edge fades over
 * FEATHER pixels, so the blend values have to come through the painter too, not only 0 and 255.
 */
function featheredMask(): Buffer {
  const raw = Buffer.alloc(WIDTH * HEIGHT);
  for (let y = 150; y < 450; y++) {
    for (let x = 250; x < 650; x++) {
      const inside = Math.min(x - 250, 649 - x, y - 150, 449 - y);
      raw[y * WIDTH + x] = Math.min(255, Math.round((inside * 255) / FEATHER));
    }
  }
  return raw;
}

/** A mask as the server reads it: its alpha channel if it has one, else its grey level. */
async function readMask(request: APIRequestContext, imageId: string): Promise<Buffer> {
  const bytes = await (await request.get(`/api/images/${imageId}`)).body();
  const meta = await sharp(bytes).metadata();
  expect([meta.width, meta.height]).toEqual([WIDTH, HEIGHT]);
  return (meta.hasAlpha ? sharp(bytes).extractChannel("alpha") : sharp(bytes).toColourspace("b-w")).raw().toBuffer();
}

async function finished(request: APIRequestContext, id: string): Promise<Job> {
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");
  return (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
}

/** Opens the job's remix and waits until the painter shows its region; returns the painter. */
async function openRemix(page: Page, job: Job, painted: number) {
  await openStudio(page, `/?remix=${job.id}`);
  await expect(page.getByLabel("Instruction")).toHaveValue(job.prompt);
  await expect(page.getByRole("button", { name: "Edit the whole image instead" })).toHaveAttribute("aria-expanded", "true");
  const painter = page.getByRole("group", { name: "Region painter" });
  await expect(painter).toHaveAttribute("data-painted-pixels", String(painted));
  return painter;
}

/** Sends the form and returns the job it made, once finished. */
async function submit(page: Page): Promise<Job> {
  await page.getByRole("button", { name: /Edit image/ }).click();
  const link = page.getByTestId("submitted-notice").getByRole("link", { name: "View job" });
  const id = (await link.getAttribute("href"))!.split("/").pop()!;
  return finished(page.request, id);
}

test("a region edit's remix opens on its region; sent as it is, or changed and changed back, it edits the same region", async ({ page, request }) => {
  const original = featheredMask();
  const painted = original.filter((v) => v > 0).length;
  const inputId = await uploadPng(request, await makePng(WIDTH, HEIGHT, 120), "input.png");
  const maskImageId = await uploadPng(
    request,
    await sharp(original, { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer(),
    "mask.png",
  );
  const created = await request.post("/api/jobs", {
    data: { provider: "demo", model: "demo", prompt: unique("remix the region"), inputImageIds: [inputId], maskImageId },
  });
  expect(created.status()).toBe(201);
  const job = await finished(request, ((await created.json()) as Job).id);
  expect(job.region).not.toBeNull();

  // The painter is open on the job's input with the region as painted, share included.
  const painter = await openRemix(page, job, painted);
  await expect(painter.getByTestId("region-share")).toHaveText(`Region: ${Math.round((painted / (WIDTH * HEIGHT)) * 100)} %`);
  await expect(page.getByTestId("input-size")).toHaveText(`${WIDTH} × ${HEIGHT}`);
  await painter.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath("remix-studio.png") });

  // Sent untouched: the same region, to the pixel.
  const same = await submit(page);
  expect(same.id).not.toBe(job.id);
  expect(same.region).toEqual(job.region);
  expect((await readMask(request, same.mask!.imageId)).equals(original)).toBe(true);

  // Changed and changed back: the painter's own export (a new upload) still holds the same values.
  const again = await openRemix(page, job, painted);
  await again.getByRole("button", { name: "Invert" }).click();
  await expect(again).not.toHaveAttribute("data-painted-pixels", String(painted));
  await again.getByRole("button", { name: "Invert" }).click();
  await expect(again).toHaveAttribute("data-painted-pixels", String(painted));
  const repainted = await submit(page);
  expect(repainted.mask!.imageId).not.toBe(maskImageId);
  expect(repainted.region).toEqual(job.region);
  const values = await readMask(request, repainted.mask!.imageId);
  const differing = values.reduce((n, v, i) => n + (v === original[i] ? 0 : 1), 0);
  expect(differing).toBe(0);

  // That export (white, the region in alpha) opens as the same region too; cleared, the remix is a whole-image edit.
  const cleared = await openRemix(page, repainted, painted);
  await cleared.getByRole("button", { name: "Clear" }).click();
  await expect(cleared).toHaveAttribute("data-painted-pixels", "0");
  const whole = await submit(page);
  expect(whole.mask).toBeNull();
  expect(whole.region).toBeNull();
});
