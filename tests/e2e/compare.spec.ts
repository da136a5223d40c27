import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { dragDividerToQuarter, encodePng, unique, uploadPng } from "./helpers";

/**
 * The compare view (/compare and the job page): slider, side by side, difference, shared
 * zoom and pan, keyboard. Data comes from the API: an upload and a demo edit of it.
 */

type Job = { id: string; status: string; seed: number; inputs: { imageId: string }[]; outputs: { imageId: string; width: number; height: number }[] };

/** A gradient with a few shapes, so an edit changes something the difference view can see. */
async function makePng(width: number, height: number, hue = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inDisc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (height * 0.2) ** 2;
      raw[i] = inDisc ? 250 : Math.floor((x / width) * 255 + hue) & 255;
      raw[i + 1] = inDisc ? 220 : Math.floor((y / height) * 255) & 255;
      raw[i + 2] = inDisc ? 120 : (160 + hue) & 255;
    }
  }
  // Images are stored by content: a few random pixels make every upload a new image.
  for (let i = 0; i < 12; i++) raw[i] = Math.floor(Math.random() * 256);
  return encodePng(raw, width, height);
}

async function upload(request: APIRequestContext, width: number, height: number): Promise<string> {
  return uploadPng(request, await makePng(width, height, 30), `photo-${width}x${height}.png`);
}

async function finished(request: APIRequestContext, id: string): Promise<Job> {
  let job: Job | undefined;
  await expect
    .poll(
      async () => {
        job = (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
        return job.status;
      },
      { timeout: 20_000 },
    )
    .toBe("succeeded");
  return job!;
}

async function edit(request: APIRequestContext, inputId: string, prompt: string): Promise<Job> {
  const response = await request.post("/api/jobs", { data: { provider: "demo", prompt, inputImageIds: [inputId] } });
  expect(response.status()).toBe(201);
  return finished(request, ((await response.json()) as Job).id);
}

async function readouts(page: Page): Promise<number[]> {
  const texts = await page.getByTestId("pane-zoom").allTextContents();
  return texts.map((t) => Number.parseInt(t, 10));
}

async function wheelOn(page: Page, testId: string, ticks: number) {
  const box = await page.getByTestId(testId).first().boundingBox();
  if (!box) throw new Error(`${testId} not laid out`);
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  for (let i = 0; i < ticks; i++) await page.mouse.wheel(0, -100);
}

test("compares two images: slider, keys, difference canvas, synced zoom, double-click fit", async ({ page, request }) => {
  const uploadId = await upload(request, 1200, 800);
  const job = await edit(request, uploadId, unique("Make the sun glow"));
  const output = job.outputs[0]!;

  await page.goto(`/compare?a=${uploadId}&b=${output.imageId}`);
  const view = page.getByTestId("compare-view");
  await expect(view).toHaveAttribute("data-mode", "slider");
  await expect(page.getByTestId("compare-side-a")).toContainText("Original upload");
  await expect(page.getByTestId("compare-side-b")).toContainText("Make the sun glow");
  await expect(page.getByTestId("compare-side-b")).toContainText(`${output.width} × ${output.height}`);

  // Slider: drag the handle, then the arrow keys.
  const slider = page.getByRole("slider", { name: "Before and after divider" });
  await expect(slider).toHaveAttribute("aria-valuenow", "50");
  const dragged = await dragDividerToQuarter(page, slider);
  await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveAttribute("aria-valuenow", String(dragged + 5));
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(slider).toHaveAttribute("aria-valuenow", String(dragged - 5));

  // 1/2/3 switch modes, and the tabs follow.
  await page.keyboard.press("2");
  await expect(view).toHaveAttribute("data-mode", "side");
  await expect(page.getByRole("tab", { name: "Side by side" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("side-by-side").getByRole("img")).toHaveCount(2);
  await page.keyboard.press("3");
  await expect(view).toHaveAttribute("data-mode", "diff");
  await expect(page.getByRole("tab", { name: "Difference" })).toHaveAttribute("aria-selected", "true");

  // Difference: a canvas whose pixels show the change.
  const canvas = page.getByTestId("diff-canvas");
  await expect(canvas).toHaveAttribute("data-changed", /\d/);
  expect(Number(await canvas.getAttribute("data-changed"))).toBeGreaterThan(0);
  await page.getByRole("radio", { name: "Raw |a − b|" }).click();
  const lit = await canvas.evaluate((element: HTMLCanvasElement) => {
    const data = element.getContext("2d")!.getImageData(0, 0, element.width, element.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 30) count++;
    return count;
  });
  expect(lit).toBeGreaterThan(1000);
  await page.keyboard.press("1");
  await expect(view).toHaveAttribute("data-mode", "slider");

  // Zoom in side by side: the wheel on one pane zooms both, and the readouts say so.
  await page.keyboard.press("2");
  const fit = await readouts(page);
  expect(fit).toHaveLength(2);
  const fitReadout = await page.getByTestId("zoom-readout").textContent();
  await wheelOn(page, "pane", 3);
  await expect.poll(async () => (await readouts(page))[0]).toBeGreaterThan(fit[0]!);
  const zoomed = await readouts(page);
  expect(zoomed[1]).toBeGreaterThan(fit[1]!);
  // Both panes scaled by the same factor.
  expect(zoomed[0]! / fit[0]!).toBeCloseTo(zoomed[1]! / fit[1]!, 1);
  await expect(page.getByTestId("zoom-readout")).not.toHaveText(fitReadout!);

  // Drag pans both panes by the same amount (the wrappers share one transform).
  const pane = await page.getByTestId("pane").first().boundingBox();
  if (!pane) throw new Error("pane not laid out");
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
  await page.mouse.down();
  await page.mouse.move(pane.x + pane.width / 2 + 60, pane.y + pane.height / 2 + 30, { steps: 4 });
  await page.mouse.up();
  const transforms = await page
    .getByTestId("pane")
    .evaluateAll((panes) => panes.map((p) => (p.firstElementChild as HTMLElement).style.transform));
  expect(transforms[0]).toContain("scale(");
  expect(transforms[0]).toBe(transforms[1]);

  // Double-click fits again; another one goes to 100 % of that pane's image.
  await page.getByTestId("pane").first().dblclick();
  await expect.poll(() => readouts(page)).toEqual(fit);
  await page.getByTestId("pane").first().dblclick();
  await expect.poll(async () => (await readouts(page))[0]).toBe(100);

  // 0 fits too; buttons zoom in and out.
  await page.keyboard.press("0");
  await expect.poll(() => readouts(page)).toEqual(fit);
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect.poll(async () => (await readouts(page))[1]).toBeGreaterThan(fit[1]!);
  await page.getByRole("button", { name: "Fit" }).click();
  await expect.poll(() => readouts(page)).toEqual(fit);

  // Swap puts B first.
  await page.getByRole("link", { name: "Swap A and B" }).click();
  await expect(page).toHaveURL(new RegExp(`a=${output.imageId}&b=${uploadId}`));
  await expect(page.getByTestId("compare-side-a")).toContainText("Make the sun glow");
});

test("the job page compares before and after, and 'Compare with…' opens any image of the lineage", async ({ page, request }) => {
  const uploadId = await upload(request, 900, 900);
  const first = await edit(request, uploadId, unique("Cooler tones"));
  const prompt = unique("Add a soft vignette");
  const second = await edit(request, first.outputs[0]!.imageId, prompt);

  await page.goto(`/jobs/${second.id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
  const view = page.getByTestId("compare-view");
  await expect(view).toHaveAttribute("data-mode", "slider");
  await expect(page.getByRole("slider", { name: "Before and after divider" })).toBeVisible();

  // Keys work (here from a focused tab); "4" is the result alone.
  await page.getByRole("tab", { name: "Slider" }).focus();
  await page.keyboard.press("3");
  await expect(view).toHaveAttribute("data-mode", "diff");
  await expect(page.getByTestId("diff-canvas")).toHaveAttribute("data-changed", /\d/);
  await page.keyboard.press("4");
  await expect(view).toHaveAttribute("data-mode", "result");
  await expect(page.getByTestId("result-image")).toBeVisible();
  await page.getByRole("tab", { name: "Side by side" }).click();
  await expect(view).toHaveAttribute("data-mode", "side");

  // Compare with… lists the lineage: the original upload, the first edit (this job's input).
  await page.getByRole("button", { name: "Compare with…" }).click();
  const dialog = page.getByRole("dialog", { name: "Compare with another image" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("compare-choice")).toHaveCount(2);
  await dialog.getByRole("link", { name: "Original upload" }).click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?a=${second.id}\\.0&b=${uploadId}&from=${encodeURIComponent(`/jobs/${second.id}`)}$`));
  await expect(page.getByTestId("compare-side-a")).toContainText(prompt);
  await expect(page.getByTestId("compare-side-b")).toContainText("Original upload");
  await expect(page.getByTestId("compare-view")).toHaveAttribute("data-mode", "slider");
});

test("the compare page explains itself without two images", async ({ page }) => {
  await page.goto("/compare");
  await expect(page.getByRole("heading", { name: "Pick two images to compare" })).toBeVisible();
  await page.goto("/compare?a=01ARZ3NDEKTSV4RRFFQ69G5FAV&b=01ARZ3NDEKTSV4RRFFQ69G5FAW");
  await expect(page.getByRole("heading", { name: "One of these images doesn't exist" })).toBeVisible();
});
