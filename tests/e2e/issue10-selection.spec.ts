import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { openStudio, unique } from "./helpers";

/**
 * Selecting and comparing results is per job output, not per stored image: images are
 * stored by content, so jobs with the same recipe and seed (a re-run, a fan-out to the same
 * deterministic engine) share one image id. And on a touch screen, where nothing hovers,
 * the batch page's compare ticks and the gallery's favourite star show and answer a tap.
 */

type Job = { id: string; status: string; outputs: { imageId: string; favorite: boolean }[] };
type Batch = { batchId: string; jobs: Job[] };

async function getJob(request: APIRequestContext, id: string): Promise<Job> {
  return (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
}

/** A fan-out of one recipe and seed to the demo engine `count` times: identical bytes from each job. */
async function identicalBatch(request: APIRequestContext, prompt: string, count: number): Promise<Batch> {
  const response = await request.post("/api/jobs/batch", {
    data: { recipe: { provider: "demo", prompt, aspectRatio: "1:1", seed: 4242 }, targets: Array.from({ length: count }, () => ({ provider: "demo" })) },
  });
  expect(response.status(), await response.text()).toBe(201);
  const batch = (await response.json()) as Batch;
  for (const job of batch.jobs) await expect.poll(async () => (await getJob(request, job.id)).status, { timeout: 20_000 }).toBe("succeeded");
  const jobs = await Promise.all(batch.jobs.map((job) => getJob(request, job.id)));
  // The premise: every job's output is the same stored image.
  expect(new Set(jobs.map((job) => job.outputs[0]!.imageId)).size).toBe(1);
  return { batchId: batch.batchId, jobs };
}

/** The compare page shows A made by job `a` and B made by job `b`. */
async function expectComparing(page: Page, a: string, b: string) {
  await expect(page).toHaveURL(/\/compare\?/);
  await expect(page.getByTestId("compare-side-a").locator(`a[href="/jobs/${a}"]`)).toHaveCount(1);
  await expect(page.getByTestId("compare-side-b").locator(`a[href="/jobs/${b}"]`)).toHaveCount(1);
}

test.describe("identical results", () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test("on the batch page, ticking one of four identical results ticks only that one, and two compare as two jobs", async ({ page, request }) => {
    const { batchId, jobs } = await identicalBatch(request, unique("Identical fan-out of a teapot"), 4);
    await page.goto(`/batches/${batchId}`);
    const cards = page.getByTestId("batch-job");
    await expect(cards).toHaveCount(4);
    await expect(page.getByTestId("batch-view")).toHaveAttribute("data-active", "false");
    const ticks = page.getByRole("checkbox", { name: /Select seed 4242 for comparison/ });

    await ticks.nth(0).check();
    await expect(ticks.nth(0)).toBeChecked();
    for (const i of [1, 2, 3]) await expect(ticks.nth(i)).not.toBeChecked();
    await ticks.nth(2).check();
    await expect(ticks.nth(1)).not.toBeChecked();
    await expect(ticks.nth(3)).not.toBeChecked();

    await page.getByTestId("batch-compare").click();
    await expectComparing(page, jobs[0]!.id, jobs[2]!.id);
  });

  test("in the gallery, two jobs with identical results compare as two jobs", async ({ page, request }) => {
    const token = unique("Identical pair of chairs");
    const { jobs } = await identicalBatch(request, token, 2);
    await openStudio(page, `/?q=${encodeURIComponent(token)}`);
    const tiles = page.getByTestId("gallery-tile");
    await expect(tiles).toHaveCount(2);
    await page.getByRole("button", { name: "Select", exact: true }).click();
    await tiles.nth(0).click();
    await tiles.nth(1).click();
    await expect(page.getByTestId("selection-count")).toHaveText("2 selected");
    await page.getByRole("toolbar", { name: "Selection" }).getByRole("link", { name: "Compare" }).click();
    // Newest first in the gallery: the second job of the batch is the first tile.
    await expectComparing(page, jobs[1]!.id, jobs[0]!.id);
  });

  test("a re-run with the same seed compares with its original from the gallery", async ({ page, request }) => {
    const token = unique("Re-run of a lantern");
    const original = (await (await request.post("/api/jobs", { data: { provider: "demo", prompt: token, seed: 99 } })).json()) as Job;
    await expect.poll(async () => (await getJob(request, original.id)).status, { timeout: 20_000 }).toBe("succeeded");
    const rerun = (await (await request.post(`/api/jobs/${original.id}/rerun`)).json()) as Job;
    await expect.poll(async () => (await getJob(request, rerun.id)).status, { timeout: 20_000 }).toBe("succeeded");
    expect((await getJob(request, rerun.id)).outputs[0]!.imageId).toBe((await getJob(request, original.id)).outputs[0]!.imageId);

    await openStudio(page, `/?q=${encodeURIComponent(token)}`);
    const tiles = page.getByTestId("gallery-tile");
    await expect(tiles).toHaveCount(2);
    await tiles.nth(1).click({ modifiers: ["Shift"] });
    await tiles.nth(0).click();
    await page.getByRole("toolbar", { name: "Selection" }).getByRole("link", { name: "Compare" }).click();
    await expectComparing(page, original.id, rerun.id);
  });
});

test.describe("on a phone (touch, no hover)", () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test("a tap on a gallery tile's star makes it a favourite", async ({ page, request }) => {
    const token = unique("Tap-starred seashell");
    const job = (await (await request.post("/api/jobs", { data: { provider: "demo", prompt: token } })).json()) as Job;
    await expect.poll(async () => (await getJob(request, job.id)).status, { timeout: 20_000 }).toBe("succeeded");

    await openStudio(page, `/?q=${encodeURIComponent(token)}`);
    await expect(page.getByTestId("gallery-tile")).toHaveCount(1);
    const star = page.getByTestId("favorite-toggle");
    await expect(star).toHaveAttribute("aria-pressed", "false");
    // Seen without hovering: fully opaque.
    await expect(star).toHaveCSS("opacity", "1");
    await star.tap();
    await expect(star).toHaveAttribute("aria-pressed", "true");
    await expect(page).toHaveURL(/\/\?q=/);
    await expect.poll(async () => (await getJob(request, job.id)).outputs[0]!.favorite).toBe(true);
  });

  test("two batch cards are ticked by tapping, and Compare opens them", async ({ page, request }) => {
    const { batchId, jobs } = await identicalBatch(request, unique("Tap-compared kite"), 3);
    await page.goto(`/batches/${batchId}`);
    await expect(page.getByTestId("batch-job")).toHaveCount(3);
    await expect(page.getByTestId("batch-view")).toHaveAttribute("data-active", "false");
    const ticks = page.getByRole("checkbox", { name: /Select seed 4242 for comparison/ });
    for (const i of [0, 1, 2]) await expect(page.getByTestId("batch-job").nth(i).locator("label")).toHaveCSS("opacity", "1");

    await ticks.nth(1).tap();
    await ticks.nth(2).tap();
    await expect(page).toHaveURL(new RegExp(`/batches/${batchId}$`));
    await expect(ticks.nth(1)).toBeChecked();
    await expect(ticks.nth(2)).toBeChecked();
    await expect(ticks.nth(0)).not.toBeChecked();
    await page.getByTestId("batch-compare").tap();
    await expectComparing(page, jobs[1]!.id, jobs[2]!.id);
  });
});
