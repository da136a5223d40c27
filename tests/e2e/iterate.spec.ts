import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import sharp from "sharp";
import { encodePng, gradientPixels, unique, uploadPng } from "./helpers";

/**
 * Iterating on a result from its job page: continue editing (lineage), comparing lineage
 * nodes, favourite and note, download with the recipe, copy recipe, re-run with the same
 * seed, variations (batch page) and retry. Data comes from the API and the UI.
 */

type Output = { imageId: string; url: string; seed: number | null; favorite: boolean; note: string | null };
type Job = { id: string; status: string; seed: number; prompt: string; inputs: { imageId: string }[]; outputs: Output[] };

async function makePng(width: number, height: number, hue = 0): Promise<Buffer> {
  const raw = gradientPixels(width, height, hue);
  // Images are stored by content: a few random pixels make every upload a new image.
  for (let i = 0; i < 12; i++) raw[i] = Math.floor(Math.random() * 256);
  return encodePng(raw, width, height);
}

async function upload(request: APIRequestContext, width = 960, height = 640): Promise<string> {
  return uploadPng(request, await makePng(width, height, 70));
}

async function getJob(request: APIRequestContext, id: string): Promise<Job> {
  return (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
}

async function finished(request: APIRequestContext, id: string): Promise<Job> {
  await expect.poll(async () => (await getJob(request, id)).status, { timeout: 20_000 }).toBe("succeeded");
  return getJob(request, id);
}

async function submit(request: APIRequestContext, body: Record<string, unknown>): Promise<Job> {
  const response = await request.post("/api/jobs", { data: { provider: "demo", ...body } });
  expect(response.status()).toBe(201);
  return (await response.json()) as Job;
}

async function openJob(page: Page, id: string) {
  await page.goto(`/jobs/${id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
}

test("continue editing builds a lineage; its nodes open their jobs and any two compare", async ({ page, request }) => {
  const uploadId = await upload(request);
  const firstPrompt = unique("Warmer light");
  const first = await finished(request, (await submit(request, { prompt: firstPrompt, inputImageIds: [uploadId] })).id);
  const firstOutput = first.outputs[0]!.imageId;

  // Continue editing: the result becomes the studio's input.
  await openJob(page, first.id);
  await page.getByRole("link", { name: /Continue editing/ }).click();
  await expect(page).toHaveURL(new RegExp(`/\\?input=${firstOutput}$|/$`));
  await expect(page.getByTestId("input-size")).toBeVisible();
  const secondPrompt = unique("Now add fog over the water");
  await page.getByLabel("Instruction").fill(secondPrompt);
  await page.getByRole("button", { name: /Edit image/ }).click();
  const card = page.getByTestId("job-card").filter({ hasText: secondPrompt });
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await card.getByRole("link", { name: "Open job page" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  const secondId = page.url().split("/").pop()!;
  const second = await getJob(request, secondId);
  expect(second.inputs[0]!.imageId).toBe(firstOutput);

  // The lineage: upload → first edit → this edit, three generations, this image marked.
  const lineage = page.getByTestId("lineage");
  await expect(lineage.getByTestId("lineage-summary")).toHaveText("3 images · 3 generations");
  const nodes = lineage.getByTestId("lineage-node");
  await expect(nodes).toHaveCount(3);
  await expect(lineage.locator('[data-testid=lineage-node][data-depth="0"]')).toHaveAttribute("data-image-id", uploadId);
  await expect(lineage.locator('[data-testid=lineage-node][data-depth="1"]')).toHaveAttribute("data-image-id", firstOutput);
  const current = lineage.locator('[data-testid=lineage-node][data-current="true"]');
  await expect(current).toHaveAttribute("data-depth", "2");
  await expect(current).toHaveAttribute("data-image-id", second.outputs[0]!.imageId);
  await expect(current).toContainText(secondPrompt);

  // Clicking a node opens the job that made it.
  await lineage.getByRole("link", { name: firstPrompt }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${first.id}$`));
  await expect(page.getByTestId("job-prompt")).toHaveText(firstPrompt);

  // Tick two nodes (or shift-click) → Compare.
  const tree = page.getByTestId("lineage");
  await expect(tree.getByTestId("lineage-node")).toHaveCount(3);
  await tree.getByRole("checkbox", { name: /Original upload/ }).check();
  await tree.getByRole("link", { name: secondPrompt }).click({ modifiers: ["Shift"] });
  await expect(page).toHaveURL(new RegExp(`/jobs/${first.id}$`));
  await expect(tree.locator('[data-testid=lineage-node][data-selected="true"]')).toHaveCount(2);
  await tree.getByRole("link", { name: "Compare", exact: true }).click();
  // The comparison remembers it was opened from this job page, for its back link.
  await expect(page).toHaveURL(new RegExp(`/compare\\?a=${uploadId}&b=${second.outputs[0]!.imageId}&from=${encodeURIComponent(`/jobs/${first.id}`)}$`));
  await expect(page.getByTestId("compare-view")).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to the Job" })).toHaveAttribute("href", `/jobs/${first.id}`);
  await expect(page.getByTestId("compare-side-b")).toContainText(secondPrompt);
});

test("favourite and note persist; download carries the recipe; copy recipe", async ({ page, request, context }) => {
  const prompt = unique("A lighthouse at dusk, long exposure");
  const job = await finished(request, (await submit(request, { prompt, aspectRatio: "3:2", seed: 4242 })).id);
  const output = job.outputs[0]!;
  await openJob(page, job.id);

  // Favourite and note, saved on the server.
  const favourite = page.getByRole("button", { name: "Favourite" });
  await expect(favourite).toHaveAttribute("aria-pressed", "false");
  await favourite.click();
  await expect(favourite).toHaveAttribute("aria-pressed", "true");
  const note = page.getByLabel("Note");
  await note.fill("Keep the sky, lose the boat.");
  await note.press("Tab");
  await expect(page.getByTestId("note-status")).toHaveText("Saved");
  await page.reload();
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
  await expect(page.getByRole("button", { name: "Favourite" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByLabel("Note")).toHaveValue("Keep the sky, lose the boat.");
  const saved = (await getJob(request, job.id)).outputs[0]!;
  expect(saved.favorite).toBe(true);
  expect(saved.note).toBe("Keep the sky, lose the boat.");
  // The lineage marks it as a favourite.
  await expect(page.getByTestId("lineage").getByText("Favourite")).toHaveCount(1);

  // Un-favourite, and an emptied note is removed.
  await page.getByRole("button", { name: "Favourite" }).click();
  await expect(page.getByRole("button", { name: "Favourite" })).toHaveAttribute("aria-pressed", "false");
  await page.getByLabel("Note").fill("");
  await page.getByLabel("Note").press("Tab");
  await expect(page.getByTestId("note-status")).toHaveText("Saved");
  await expect.poll(async () => (await getJob(request, job.id)).outputs[0]!.note).toBeNull();
  expect((await getJob(request, job.id)).outputs[0]!.favorite).toBe(false);

  // Download: an attachment with the recipe in its XMP.
  const link = page.getByRole("link", { name: "Download" });
  const href = await link.getAttribute("href");
  expect(href).toBe(`/api/images/${output.imageId}/download`);
  const response = await request.get(href!);
  expect(response.headers()["content-disposition"]).toMatch(/^attachment; filename="atelier-.+\.(png|jpg|webp)"$/);
  const xmp = (await sharp(await response.body()).metadata()).xmp?.toString("utf8") ?? "";
  expect(xmp).toContain(prompt);
  expect(xmp).toContain("4242");
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^atelier-.+\.(png|jpg|webp)$/);

  // Copy recipe: JSON on the clipboard.
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy recipe" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as Record<string, unknown>;
  expect(copied).toMatchObject({ app: "Atelier", jobId: job.id, prompt, seed: 4242, provider: "demo", imageId: output.imageId });

  // Remix goes to the studio with this job's recipe.
  await expect(page.getByRole("link", { name: "Remix" })).toHaveAttribute("href", `/?remix=${job.id}`);
});

test("re-run with the same seed, and variations as a batch page", async ({ page, request }) => {
  const prompt = unique("Paper cut-out of a mountain village");
  const job = await finished(request, (await submit(request, { prompt, aspectRatio: "1:1", seed: 777 })).id);
  await openJob(page, job.id);

  // Re-run: a new job with the same seed.
  await page.getByRole("button", { name: "Re-run same seed" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/jobs/${job.id}$`));
  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  await expect(page.getByTestId("job-seed")).toHaveText("777");
  await expect(page.getByTestId("job-prompt")).toHaveText(prompt);
  await expect(page.getByTestId("job-status")).toContainText("Done", { timeout: 20_000 });
  const rerunId = page.url().split("/").pop()!;
  const rerun = await getJob(request, rerunId);
  expect(rerun.seed).toBe(777);
  expect(rerun.outputs[0]!.seed).toBe(777);

  // Variations: pick 3 → a batch page with 3 jobs that all succeed, each with its own seed.
  await page.getByRole("button", { name: "Variations…" }).click();
  const panel = page.getByRole("dialog", { name: "Variations" });
  await panel.getByRole("radio", { name: "3 variations" }).check();
  await panel.getByRole("button", { name: "Make 3 variations" }).click();
  await expect(page).toHaveURL(/\/batches\/[0-9A-Z]{26}$/);
  await expect(page.getByText("3 variations")).toBeVisible();
  const cards = page.getByTestId("batch-job");
  await expect(cards).toHaveCount(3);
  for (const card of await cards.all()) await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(page.getByTestId("batch-summary")).toContainText("3 of 3 done");
  await expect(page.getByTestId("batch-view")).toHaveAttribute("data-active", "false");
  const seeds = await page.getByTestId("batch-seed").allTextContents();
  expect(new Set(seeds).size).toBe(3);
  await expect(page.getByTestId("batch-cost")).toHaveText(["Free", "Free", "Free"]);
  await expect(page.getByTestId("batch-model").first()).toHaveText("Demo engine (not AI)");

  // Two of them compare; a card opens its job.
  await cards.nth(0).getByRole("checkbox").check();
  await cards.nth(2).getByRole("checkbox").check();
  await expect(page.getByTestId("batch-compare")).toBeVisible();
  await cards.nth(1).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  await expect(page.getByTestId("job-seed")).toHaveText(seeds[1]!);
  await expect(page.getByRole("link", { name: "Part of a batch" })).toBeVisible();
});

test("a canceled job can be retried with the same recipe and seed", async ({ page, request }) => {
  const prompt = unique("Neon reflections on wet asphalt");
  // Cancel right after submitting: the demo engine takes a moment, so this lands first.
  let canceled: Job | undefined;
  for (let attempt = 0; attempt < 3 && !canceled; attempt++) {
    const job = await submit(request, { prompt, aspectRatio: "16:9", seed: 31337, n: 2 });
    const response = await request.post(`/api/jobs/${job.id}/cancel`);
    if (response.ok()) canceled = (await response.json()) as Job;
  }
  expect(canceled?.status).toBe("canceled");
  await openJob(page, canceled!.id);
  await expect(page.getByText("This job was canceled before it finished.")).toBeVisible();
  await page.getByRole("button", { name: "Retry" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/jobs/${canceled!.id}$`));
  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  await expect(page.getByTestId("job-status")).toContainText("Done", { timeout: 20_000 });
  await expect(page.getByTestId("job-seed")).toHaveText("31337");
  await expect(page.getByTestId("job-prompt")).toHaveText(prompt);
});
