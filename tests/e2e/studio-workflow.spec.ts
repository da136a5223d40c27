import { expect, type APIRequestContext, test } from "@playwright/test";
import { encodePng, openStudio, quiesce, serverWithFakes, unique, uploadPng } from "./helpers";

/**
 * The studio side of iterating: remix (refill the form from a job), fan-out (one recipe to
 * several models), the monthly budget, toasts for jobs that finish in a background tab,
 * and the theme. Paid providers are local fakes on a server this file starts itself.
 */

type Job = { id: string; status: string; prompt: string; provider: string; batchId: string | null; outputs: { imageId: string }[] };

async function png(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    const p = i / 3;
    raw[i] = (p % width) & 255;
    raw[i + 1] = Math.floor(p / width) & 255;
    raw[i + 2] = 140;
  }
  return encodePng(raw, width, height);
}

async function upload(request: APIRequestContext, width: number, height: number): Promise<string> {
  return uploadPng(request, await png(width, height));
}

async function settle(request: APIRequestContext, id: string, base = ""): Promise<Job> {
  for (let i = 0; i < 160; i++) {
    const job = (await (await request.get(`${base}/api/jobs/${id}`)).json()) as Job;
    if (job.status !== "queued" && job.status !== "running") return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${id} did not finish`);
}

test("remix refills the whole form from a job: prompt, model, ratio, seed, count and the input image", async ({ page, request }) => {
  const prompt = unique("Make the sky stormy, keep the boats");
  const input = await upload(request, 900, 600);
  const created = await request.post("/api/jobs", {
    data: { provider: "demo", model: "demo", prompt, aspectRatio: "4:3", seed: 4242, n: 2, inputImageIds: [input] },
  });
  expect(created.status()).toBe(201);
  const job = await settle(request, ((await created.json()) as Job).id);

  await openStudio(page, `/?remix=${job.id}`);
  await expect(page.getByLabel("Instruction")).toHaveValue(prompt);
  await expect(page.getByLabel("Model", { exact: true })).toHaveValue("demo::demo");
  await expect(page.getByRole("radio", { name: "4:3" })).toBeChecked();
  await expect(page.getByLabel("Seed", { exact: true })).toHaveValue("4242");
  await expect(page.getByRole("radio", { name: "2 images" })).toBeChecked();
  // The input preloads like `?input=` does, and keeps the job's ratio (not "Match input").
  await expect(page.getByRole("img", { name: "Input image preview" })).toBeVisible();
  await expect(page.getByTestId("input-size")).toHaveText("900 × 600");
  await expect(page.getByRole("radio", { name: "4:3" })).toBeChecked();
  await expect(page.getByRole("button", { name: /Edit image/ })).toBeVisible();
  // The remix has done its job; a reload starts clean instead of undoing later edits.
  await expect(page).not.toHaveURL(/remix=/);

  // Tweak and submit: the same recipe with a change runs as a new job.
  await page.getByLabel("Instruction").fill(`${prompt} at dusk`);
  await page.getByRole("button", { name: /Edit image/ }).click();
  const card = page.getByTestId("job-card").filter({ hasText: `${prompt} at dusk` });
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  const page1 = (await (await request.get(`/api/jobs?q=${encodeURIComponent(`${prompt} at dusk`)}`)).json()) as {
    items: (Job & { seed: number; aspectRatio: string; n: number; inputs: { imageId: string }[] })[];
  };
  expect(page1.items).toHaveLength(1);
  expect(page1.items[0]).toMatchObject({ seed: 4242, aspectRatio: "4:3", n: 2 });
  expect(page1.items[0]!.inputs[0]!.imageId).toBe(input);

  // "Remix" on a live card brings that recipe back after the form has moved on.
  await page.getByLabel("Instruction").fill("something else entirely");
  await page.getByLabel("Seed", { exact: true }).fill("7");
  await card.getByRole("button", { name: /^Remix/ }).click();
  await expect(page.getByLabel("Instruction")).toHaveValue(`${prompt} at dusk`);
  await expect(page.getByLabel("Seed", { exact: true })).toHaveValue("4242");
});

test("fan-out sends the recipe as a batch and opens the batch page", async ({ page, request }) => {
  const prompt = unique("A paper boat on a puddle, overcast light");
  await openStudio(page);
  await page.getByLabel("Instruction").fill(prompt);
  await page.getByRole("radio", { name: "3:2" }).check();
  await page.getByRole("button", { name: "Fan-out" }).click();
  const panel = page.getByTestId("fan-out-panel");
  await expect(panel).toBeVisible();
  // Only configured providers are offered; the demo engine counts, pre-ticked as the form's model.
  await expect(panel.getByRole("checkbox", { name: /Demo engine/ })).toBeChecked();
  await expect(panel.getByRole("checkbox", { name: /Modelverse/ })).toHaveCount(0);
  await panel.getByRole("button", { name: "Send to 1 model" }).click();

  await expect(page).toHaveURL(/\/batches\/[0-9A-Z]{26}$/);
  const batchId = page.url().split("/").pop()!;
  const batch = (await (await request.get(`/api/batches/${batchId}`)).json()) as { batchId: string; jobs: (Job & { aspectRatio: string })[] };
  expect(batch.jobs).toHaveLength(1);
  expect(batch.jobs[0]).toMatchObject({ prompt, provider: "demo", aspectRatio: "3:2", batchId });
});

test("a job that finishes while the tab is hidden counts in the title and shows a toast on return", async ({ page, request }) => {
  const prompt = unique("Fog rolling over a pine ridge");
  // Jobs left running by earlier specs would finish while hidden too and count in the title.
  await quiesce(request);
  await openStudio(page);
  await page.getByLabel("Instruction").fill(prompt);
  const title = await page.title();
  // The designer switches tabs (the page sees document.hidden), then the job runs.
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await page.getByLabel("Instruction").press("Control+Enter");
  const card = page.getByTestId("job-card").filter({ hasText: prompt });
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(page).toHaveTitle(`(1) ${title}`);
  await expect(page.getByTestId("finish-toast")).toHaveCount(0);

  // Back to the tab: the toast stack shows it and the title is clean again.
  await page.evaluate(() => {
    delete (document as { hidden?: boolean }).hidden;
    delete (document as { visibilityState?: string }).visibilityState;
    document.dispatchEvent(new Event("visibilitychange"));
  });
  const toast = page.getByTestId("finish-toast").filter({ hasText: prompt });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText("Finished");
  await expect(toast.locator("img")).toHaveAttribute("width", /\d+/);
  await expect(page).toHaveTitle(title);
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await expect(toast).toHaveCount(0);
});

test("the theme follows the system, the toggle overrides it, and the choice survives a reload", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "light" });
  const page = await context.newPage();
  await openStudio(page);
  await expect(page.locator("html")).toHaveClass(/\blight\b/);
  const toggle = page.getByRole("button", { name: "Dark theme" });
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await toggle.click();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  expect(await page.evaluate(() => localStorage.getItem("atelier-theme"))).toBe("dark");
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(lightBg);

  // The class is set by the inline script before the page paints: right from the first response.
  await page.reload({ waitUntil: "commit" });
  await page.waitForFunction(() => document.body !== null);
  expect(await page.evaluate(() => document.documentElement.className)).toContain("dark");
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await expect(page.getByRole("button", { name: "Dark theme" })).toHaveAttribute("aria-pressed", "true");
  // The ledger (another page) keeps it too.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ledger" }).click();
  await expect(page).toHaveURL(/\/ledger/);
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await context.close();
});

test.describe("with paid providers (local fakes)", () => {
  const own = serverWithFakes({ therouter: { key: "tr-test-key", pollsUntilDone: 1 }, dmxapi: { key: "dmx-test-key" } }, { ATELIER_BUDGET_USD: "0.03" });

  test("fan-out to three providers makes one batch, each job on its own model", async ({ page, request }) => {
    const base = own.server!.url;
    const prompt = unique("Sunlit reading nook with plants");
    await openStudio(page, `${base}/`);
    await page.getByLabel("Instruction").fill(prompt);
    await page.getByRole("button", { name: "Fan-out" }).click();
    const panel = page.getByTestId("fan-out-panel");
    await panel.getByRole("checkbox", { name: /FLUX.1 Kontext \[dev\] · TheRouter/ }).check();
    await panel.getByRole("checkbox", { name: /FLUX.1 Kontext \[pro\] · DMXAPI/ }).check();
    // Demo is free, TheRouter $0.018, DMXAPI publishes no price: the total is unknown, and says so.
    await expect(panel.getByTestId("fan-out-price")).toHaveText("Price not published");
    await panel.getByRole("checkbox", { name: /FLUX.1 Kontext \[pro\] · DMXAPI/ }).uncheck();
    await expect(panel.getByTestId("fan-out-price")).toHaveText("$0.018");
    await panel.getByRole("checkbox", { name: /FLUX.1 Kontext \[pro\] · DMXAPI/ }).check();
    await panel.getByRole("button", { name: "Send to 3 models" }).click();

    await expect(page).toHaveURL(/\/batches\/[0-9A-Z]{26}$/);
    const batchId = page.url().split("/").pop()!;
    const batch = (await (await request.get(`${base}/api/batches/${batchId}`)).json()) as { jobs: (Job & { model: string })[] };
    expect(batch.jobs.map((j) => `${j.provider}/${j.model}`).sort()).toEqual(
      ["demo/demo", "dmxapi/flux-kontext-pro", "therouter/black-forest-labs/flux-kontext-dev"].sort(),
    );
    const done = await Promise.all(batch.jobs.map((j) => settle(request, j.id, base)));
    expect(done.map((j) => j.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
  });

  test("the studio shows the month's spend and asks before a submit would pass the budget", async ({ page, request }) => {
    const base = own.server!.url;
    const ledger = async () =>
      ((await (await request.get(`${base}/api/ledger`)).json()) as { budget: { monthlyUsd: number; spentThisMonthUsd: number } }).budget;
    const start = await ledger();
    expect(start.monthlyUsd).toBe(0.03);

    await openStudio(page, `${base}/`);
    const budget = page.getByTestId("budget");
    await expect(budget).toContainText(`of $0.03 this month`);
    await page.getByLabel("Model", { exact: true }).selectOption("therouter::black-forest-labs/flux-kontext-dev");
    await expect(page.getByTestId("price")).toHaveText("$0.018");

    // Spend until the next job would pass the budget (the fan-out above may have spent some already).
    const count = async () => (await (await request.get(`${base}/api/jobs?provider=therouter&limit=100`)).json()).items.length as number;
    let spent = start.spentThisMonthUsd;
    while (spent + 0.018 <= 0.03) {
      const prompt = unique("Ceramic teapot product shot");
      await page.getByLabel("Instruction").fill(prompt);
      await page.getByRole("button", { name: /Generate/ }).click();
      await expect(page.getByTestId("job-card").filter({ hasText: prompt })).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
      spent = (await ledger()).spentThisMonthUsd;
    }
    await expect(budget).toContainText(`Spent $${spent.toFixed(3).replace(/0$/, "")} of $0.03 this month`);

    // The next one would pass it: a confirm step first. Cancel sends nothing.
    const before = await count();
    const prompt = unique("Over budget teapot");
    await page.getByLabel("Instruction").fill(prompt);
    await page.getByRole("button", { name: /Generate/ }).click();
    const dialog = page.getByRole("dialog", { name: "This would pass your monthly budget" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("is estimated at $0.018");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    expect(await count()).toBe(before);

    // "Submit anyway" goes ahead.
    await page.getByRole("button", { name: /Generate/ }).click();
    await dialog.getByRole("button", { name: "Submit anyway" }).click();
    await expect(page.getByTestId("job-card").filter({ hasText: prompt })).toBeVisible();
    await expect.poll(count).toBe(before + 1);
    await expect(page.getByTestId("job-card").filter({ hasText: prompt })).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
    spent = (await ledger()).spentThisMonthUsd;
    expect(spent).toBeGreaterThan(0.03);
    await expect(budget).toContainText(`Spent $${spent.toFixed(3).replace(/0$/, "")} of $0.03 this month`);

    // A model with no published price: its cost is unknown, said so, and a spent budget still asks.
    await page.getByLabel("Model", { exact: true }).selectOption("dmxapi::flux-kontext-dev");
    await expect(page.getByTestId("price")).toHaveText("Price not published");
    await expect(budget).toContainText("this job: price not published");
    await page.getByLabel("Instruction").fill(unique("Unpriced lighthouse"));
    await page.getByRole("button", { name: /Generate/ }).click();
    await expect(dialog).toContainText("has no estimate: price not published");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  });
});
