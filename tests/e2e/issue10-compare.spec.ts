import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { makePng, openStudio, unique, uploadPng } from "./helpers";

/**
 * What designers tripped over in the comparison: keys that worked once, sides that said
 * nothing about what made them, a back link that forgot where they came from, and a job page
 * whose actions sat below the fold behind a full-size "before" image.
 */

type Job = { id: string; status: string; batchId: string | null; inputs: { imageId: string }[]; outputs: { imageId: string }[] };

async function finished(request: APIRequestContext, id: string): Promise<Job> {
  let job: Job | undefined;
  await expect
    .poll(async () => (job = (await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");
  return job!;
}

async function editJob(request: APIRequestContext, prompt: string, width = 1200, height = 800): Promise<Job> {
  const inputId = await uploadPng(request, await makePng(width, height, Math.floor(Math.random() * 200)), "before.png");
  const created = await request.post("/api/jobs", { data: { provider: "demo", prompt, inputImageIds: [inputId] } });
  expect(created.status()).toBe(201);
  return finished(request, ((await created.json()) as Job).id);
}

/** Presses each key in turn, without touching the page first, and checks the view followed every time. */
async function chainKeys(page: Page, steps: [string, string][]) {
  const view = page.getByTestId("compare-view");
  for (const [key, mode] of steps) {
    await page.keyboard.press(key);
    await expect(view, `after pressing ${key}`).toHaveAttribute("data-mode", mode);
  }
}

test("the job page's comparison answers 1–4 from page load, many times in a row", async ({ page, request }) => {
  const job = await editJob(request, unique("Golden hour"));
  await page.goto(`/jobs/${job.id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
  await expect(page.getByTestId("compare-view")).toHaveAttribute("data-mode", "slider");

  await chainKeys(page, [
    ["3", "diff"],
    ["2", "side"],
    ["4", "result"],
    ["1", "slider"],
    ["3", "diff"],
  ]);

  // After a click on the image the keys keep working, and focus stays in the comparison.
  await page.getByTestId("diff-canvas").click();
  await chainKeys(page, [
    ["2", "side"],
    ["1", "slider"],
  ]);
  await page.getByTestId("compare-slider").click();
  await chainKeys(page, [
    ["4", "result"],
    ["2", "side"],
  ]);
  expect(await page.evaluate(() => document.querySelector("[data-testid=compare-view]")?.contains(document.activeElement) ?? false)).toBe(true);

  // Typing in the note is typing, not switching views.
  await page.getByRole("textbox", { name: "Note" }).fill("1 3 2");
  await expect(page.getByTestId("compare-view")).toHaveAttribute("data-mode", "side");
});

test("/compare answers its keys from page load, several in a row", async ({ page, request }) => {
  const job = await editJob(request, unique("Blue hour"));
  await page.goto(`/compare?a=${job.inputs[0]!.imageId}&b=${job.outputs[0]!.imageId}`);
  await expect(page.getByTestId("compare-view")).toHaveAttribute("data-mode", "slider");
  await chainKeys(page, [
    ["2", "side"],
    ["3", "diff"],
    ["1", "slider"],
    ["3", "diff"],
    ["2", "side"],
  ]);
});

test("each side of /compare names provider, model, time and cost; the back link returns to the batch", async ({ page, request }) => {
  const source = await editJob(request, unique("Soft film grain"), 600, 400);
  const batch = await request.post("/api/jobs/batch", {
    data: { recipe: { provider: "demo", prompt: unique("Grainy variations"), inputImageIds: [source.inputs[0]!.imageId] }, variations: 2 },
  });
  expect(batch.ok()).toBe(true);
  const { batchId } = (await batch.json()) as { batchId: string };

  await page.goto(`/batches/${batchId}`);
  const cards = page.getByTestId("batch-job");
  await expect(cards).toHaveCount(2);
  for (const card of await cards.all()) await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await cards.nth(0).getByRole("checkbox").check();
  await cards.nth(1).getByRole("checkbox").check();
  await page.getByTestId("batch-compare").click();
  await expect(page).toHaveURL(/\/compare\?/);

  for (const side of ["a", "b"]) {
    const meta = page.getByTestId(`compare-side-${side}`).getByTestId("compare-side-meta");
    await expect(meta).toContainText("Demo");
    await expect(meta).toContainText("Demo engine (not AI)");
    await expect(meta).toContainText(/\d+(\.\d)? s\b/);
    await expect(meta).toContainText("Free");
  }

  await page.getByRole("link", { name: /Back to the batch/i }).click();
  await expect(page).toHaveURL(new RegExp(`/batches/${batchId}$`));
  await expect(page.getByTestId("batch-view")).toBeVisible();
});

test("the back link of /compare returns to the gallery when opened from it", async ({ page, request }) => {
  const prompt = unique("Gallery pair");
  await editJob(request, prompt, 400, 400);
  await editJob(request, prompt, 400, 400);
  const gallery = `/?q=${encodeURIComponent(prompt)}`;
  await openStudio(page, gallery);
  const tiles = page.getByTestId("gallery-tile");
  await expect(tiles).toHaveCount(2);
  // Shift-click enters select mode with that tile; a plain click adds the other.
  await tiles.nth(0).click({ modifiers: ["Shift"] });
  await tiles.nth(1).click();
  await page.getByRole("toolbar", { name: "Selection" }).getByRole("link", { name: "Compare" }).click();
  await expect(page).toHaveURL(/\/compare\?/);
  await expect(page.getByTestId("compare-view")).toBeVisible();
  await page.getByRole("link", { name: /Back to the gallery/i }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/" && url.searchParams.get("q") === prompt);
  await expect(tiles).toHaveCount(2);
});

test("the job page shows its main actions above the fold and the 'before' image at once, as a thumbnail first", async ({ page, request }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const job = await editJob(request, unique("Crisp morning"), 1600, 1200);
  const inputId = job.inputs[0]!.imageId;

  // Hold the full-size "before" image back; the thumbnail is free to load.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname === `/api/images/${inputId}` && !url.searchParams.has("variant"),
    async (route) => {
      await held;
      await route.continue();
    },
  );

  await page.goto(`/jobs/${job.id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
  for (const name of [/Continue editing/, /^Download$/]) {
    await expect(page.getByRole("link", { name })).toBeInViewport({ ratio: 1 });
  }

  const slider = page.getByTestId("compare-slider");
  const before = slider.getByRole("img", { name: /^Before/ });
  await expect(before).toBeVisible();
  await expect(before).toHaveAttribute("src", /variant=thumb/);
  await expect.poll(() => before.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  release();
  await expect(before).toHaveAttribute("src", new RegExp(`/api/images/${inputId}$`));
  await expect.poll(() => before.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1600);
});
