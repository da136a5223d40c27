import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { unzipSync } from "fflate";
import { makePng, openStudio, unique, uploadPng } from "./helpers";

/**
 * The same edit across many images (issue 12): pick images in the gallery (or drop several
 * files in the studio), add one more file in the dialog, send one recipe, and follow every
 * before/after on the batch page, then take all the results home as one zip.
 */

type Job = {
  id: string;
  status: string;
  seed: number;
  prompt: string;
  aspectRatio: string;
  inputs: { imageId: string }[];
  outputs: { imageId: string; width: number; height: number }[];
};

test.use({ viewport: { width: 1440, height: 900 } });

/**
 * After "Apply to 3 images": the batch page, its three cards all succeeded with their before
 * and after loaded, and the batch's jobs as the API reports them.
 */
async function expectBatchOfThreeDone(page: Page, request: APIRequestContext) {
  await expect(page).toHaveURL(/\/batches\/[0-9A-Z]{26}$/);
  const batchId = page.url().split("/").pop()!;
  await expect(page.getByText("Same edit · 3 images")).toBeVisible();
  const cards = page.getByTestId("batch-job");
  await expect(cards).toHaveCount(3);
  await expect(page.getByTestId("batch-view")).toHaveAttribute("data-active", "false", { timeout: 20_000 });
  await expect(page.getByTestId("batch-summary")).toContainText("3 of 3 done");
  for (let i = 0; i < 3; i++) {
    const card = cards.nth(i);
    await expect(card).toHaveAttribute("data-status", "succeeded");
    for (const side of ["batch-before", "batch-after"]) {
      await expect.poll(() => card.getByTestId(side).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    }
  }
  const { jobs } = (await (await request.get(`/api/batches/${batchId}`)).json()) as { jobs: Job[] };
  return { batchId, cards, jobs };
}

test("Apply an edit… sends one job per image and the batch page shows each before and after", async ({ page, request }) => {
  // Two images in the gallery: uploads edited once each, so each is a gallery tile.
  const token = unique("Batch source");
  const uploads = [await uploadPng(request, await makePng(320, 240, 10), "a.png"), await uploadPng(request, await makePng(240, 320, 90), "b.png")];
  const prep = await request.post("/api/jobs/batch", { data: { recipe: { provider: "demo", prompt: token }, inputImageIds: uploads } });
  expect(prep.status()).toBe(201);
  const prepBatch = (await prep.json()) as { batchId: string };
  await expect
    .poll(async () => ((await (await request.get(`/api/batches/${prepBatch.batchId}`)).json()) as { jobs: Job[] }).jobs.map((j) => j.status), { timeout: 20_000 })
    .toEqual(["succeeded", "succeeded"]);
  const sources = ((await (await request.get(`/api/batches/${prepBatch.batchId}`)).json()) as { jobs: Job[] }).jobs;

  await openStudio(page, `/?q=${encodeURIComponent(token)}`);
  const tiles = page.getByTestId("gallery-tile");
  await expect(tiles).toHaveCount(2);
  await page.getByRole("button", { name: "Select", exact: true }).click();
  const apply = page.getByRole("toolbar", { name: "Selection" }).getByRole("button", { name: "Apply an edit…" });
  // Newest first: the second source job is the first tile.
  await tiles.nth(0).click();
  await tiles.nth(1).click();
  await apply.click();

  const dialog = page.getByRole("dialog", { name: "Apply an edit" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("batch-image")).toHaveCount(2);
  await expect(dialog.getByTestId("batch-image-count")).toHaveText("2 of at most 50");
  // One more image, dropped (here: picked) in the dialog, uploads and joins the set.
  await dialog.getByTestId("batch-file-input").setInputFiles({ name: "c.png", mimeType: "image/png", buffer: await makePng(300, 300, 170) });
  await expect(dialog.getByTestId("batch-image")).toHaveCount(3);
  // An empty instruction is refused in the dialog, with the schema's words.
  await dialog.getByRole("button", { name: "Apply to 3 images" }).click();
  await expect(dialog.getByText("Write an instruction")).toBeVisible();

  const instruction = unique("Make it warmer");
  await dialog.getByLabel("Instruction").fill(instruction);
  await dialog.getByLabel("Model").selectOption("demo::demo");
  await expect(dialog.getByRole("radio", { name: "Match input" })).toBeChecked();
  await dialog.getByRole("button", { name: "Apply to 3 images" }).click();

  const { batchId, cards, jobs } = await expectBatchOfThreeDone(page, request);

  // What was sent: the picked images in picking order, then the dropped file; one seed for all.
  expect(jobs.map((j) => j.inputs[0]!.imageId).slice(0, 2)).toEqual([sources[1]!.outputs[0]!.imageId, sources[0]!.outputs[0]!.imageId]);
  expect(new Set(jobs.map((j) => j.inputs[0]!.imageId)).size).toBe(3);
  expect(new Set(jobs.map((j) => j.seed)).size).toBe(1);
  expect(new Set(jobs.map((j) => j.prompt))).toEqual(new Set([instruction]));

  // Each card compares its own before and after.
  await expect(cards.nth(0).getByTestId("batch-compare-one")).toHaveAttribute(
    "href",
    new RegExp(`^/compare\\?a=${jobs[0]!.inputs[0]!.imageId}&b=${jobs[0]!.id}\\.0&from=`),
  );

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download all (zip)" }).click()]);
  expect(download.suggestedFilename()).toBe(`atelier-batch-${batchId}.zip`);
  const files = unzipSync(new Uint8Array(fs.readFileSync(await download.path())));
  expect(Object.keys(files)).toHaveLength(3);
});

test("several files picked in the studio open the dialog with the studio's recipe, and run as one batch", async ({ page, request }) => {
  await openStudio(page);
  // The recipe the designer set up in the studio before picking the files.
  const instruction = unique("Studio batch: cooler light");
  await page.getByLabel("Instruction").fill(instruction);
  await page.getByRole("radio", { name: "4:3" }).check();
  await page.getByLabel("Seed", { exact: true }).fill("4242");
  await expect(page.getByTestId("dropzone")).toContainText("Several files make a batch");

  await page.getByTestId("dropzone-input").setInputFiles([
    { name: "one.png", mimeType: "image/png", buffer: await makePng(300, 200, 20) },
    { name: "two.png", mimeType: "image/png", buffer: await makePng(200, 300, 110) },
    { name: "three.png", mimeType: "image/png", buffer: await makePng(256, 256, 200) },
  ]);
  const dialog = page.getByRole("dialog", { name: "Apply an edit" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("batch-image")).toHaveCount(3);
  await expect(dialog.getByLabel("Instruction")).toHaveValue(instruction);
  await expect(dialog.getByLabel("Model")).toHaveValue("demo::demo");
  await expect(dialog.getByRole("radio", { name: "4:3" })).toBeChecked();
  await expect(dialog.getByLabel("Seed", { exact: true })).toHaveValue("4242");
  // None of them became the studio's input.
  await expect(page.getByTestId("input-size")).toHaveCount(0);

  await dialog.getByRole("button", { name: "Apply to 3 images" }).click();
  const { jobs } = await expectBatchOfThreeDone(page, request);

  // One recipe: the studio's instruction, ratio and seed on each of the three.
  expect(new Set(jobs.map((j) => j.inputs[0]!.imageId)).size).toBe(3);
  for (const job of jobs) {
    expect([job.prompt, job.aspectRatio, job.seed]).toEqual([instruction, "4:3", 4242]);
    expect(job.outputs[0]!.width / job.outputs[0]!.height).toBeCloseTo(4 / 3, 1);
  }
});

test("several files dropped (or pasted) on the studio open the dialog; files it can't take are named there", async ({ page }) => {
  await openStudio(page);
  const pngs = await Promise.all([makePng(320, 240, 30), makePng(240, 320, 150)].map(async (png) => (await png).toString("base64")));
  const dataTransfer = await page.evaluateHandle((images) => {
    const data = new DataTransfer();
    images.forEach((b64, i) => data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], `drop-${i}.png`, { type: "image/png" })));
    data.items.add(new File(["not an image"], "notes.txt", { type: "text/plain" }));
    return data;
  }, pngs);
  const zone = page.getByTestId("dropzone");
  await zone.dispatchEvent("dragenter", { dataTransfer });
  await expect(zone).toContainText("Drop to make a batch");
  await zone.dispatchEvent("drop", { dataTransfer });

  const dialog = page.getByRole("dialog", { name: "Apply an edit" });
  await expect(dialog.getByTestId("batch-image")).toHaveCount(2);
  await expect(dialog.getByTestId("batch-image-problems")).toContainText("“notes.txt” isn't a PNG, JPEG or WebP image.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId("input-size")).toHaveCount(0);

  // Two images pasted at once make a batch too.
  await page.evaluate((images) => {
    const data = new DataTransfer();
    images.forEach((b64, i) => data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], `paste-${i}.png`, { type: "image/png" })));
    document.body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
  }, pngs);
  await expect(dialog.getByTestId("batch-image")).toHaveCount(2);
  await expect(page.getByTestId("input-size")).toHaveCount(0);
});
