import { expect, type APIRequestContext, type Page, test } from "@playwright/test";
import { unzipSync } from "fflate";
import { makePng, openStudio, unique, uploadPng } from "./helpers";

/**
 * "Browse": the history's filters, search and sort (kept in the URL), favourites,
 * selection with shift-click, bulk download and bulk delete, and the windowed grid.
 * Specs share one server, so each works on jobs it made with its own unique token.
 */

type Job = {
  id: string;
  status: string;
  prompt: string;
  outputs: { imageId: string; favorite: boolean }[];
};

const today = () => new Date().toISOString().slice(0, 10);
const dayAfter = (day: string, days: number) => new Date(Date.parse(day) + days * 86_400_000).toISOString().slice(0, 10);

async function upload(request: APIRequestContext, width: number, height: number): Promise<string> {
  return uploadPng(request, await makePng(width, height, width % 200));
}

async function createJob(request: APIRequestContext, recipe: Record<string, unknown>): Promise<Job> {
  const response = await request.post("/api/jobs", { data: { provider: "demo", ...recipe } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as Job;
}

async function settle(request: APIRequestContext, id: string): Promise<Job> {
  for (let i = 0; i < 120; i++) {
    const job = (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
    if (job.status !== "queued" && job.status !== "running") return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${id} did not finish`);
}

const tiles = (page: Page) => page.getByTestId("gallery-tile");
const tileIds = (page: Page) => tiles(page).evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-job-id")));

test("filters, search and sort narrow the history, and the URL keeps them across a reload", async ({ page, request }) => {
  const token = unique("browse");
  const input = await upload(request, 640, 480);
  const generated = await createJob(request, { prompt: `${token} alpha lighthouse`, aspectRatio: "1:1" });
  const edited = await createJob(request, { prompt: `${token} beta harbour`, inputImageIds: [input] });
  const canceled = await createJob(request, { prompt: `${token} gamma dunes`, aspectRatio: "16:9" });
  const cancel = await request.post(`/api/jobs/${canceled.id}/cancel`);
  expect(cancel.status(), "the demo job was still running when canceled").toBe(200);
  const done = await settle(request, generated.id);
  await settle(request, edited.id);
  expect(done.status).toBe("succeeded");
  // One favourite, set through the API the star uses.
  expect((await request.patch(`/api/images/${done.outputs[0]!.imageId}`, { data: { favorite: true } })).status()).toBe(200);

  await openStudio(page, `/?q=${encodeURIComponent(token)}`);
  await expect(page.getByLabel("Search prompts")).toHaveValue(token);
  await expect(tiles(page)).toHaveCount(3);
  // Newest first by default.
  expect(await tileIds(page)).toEqual([canceled.id, edited.id, generated.id]);

  await page.getByLabel("Sort order").selectOption("oldest");
  await expect(page).toHaveURL(/sort=oldest/);
  await expect.poll(() => tileIds(page)).toEqual([generated.id, edited.id, canceled.id]);
  await page.getByLabel("Sort order").selectOption("newest");
  await expect(page).not.toHaveURL(/sort=/);

  await page.getByLabel("Status filter").selectOption("canceled");
  await expect(page).toHaveURL(/status=canceled/);
  await expect(tiles(page)).toHaveCount(1);
  await expect(tiles(page).first()).toHaveAttribute("data-job-id", canceled.id);
  await page.getByLabel("Status filter").selectOption("");

  await page.getByLabel("Mode filter").selectOption("edit");
  await expect(page).toHaveURL(/mode=edit/);
  await expect(tiles(page)).toHaveCount(1);
  await expect(tiles(page).first()).toHaveAttribute("data-job-id", edited.id);
  await page.getByLabel("Mode filter").selectOption("generate");
  await expect(tiles(page)).toHaveCount(2);
  await page.getByLabel("Mode filter").selectOption("");

  // Only the demo engine runs in the test server: another provider matches nothing.
  await page.getByLabel("Provider filter").selectOption("therouter");
  await expect(page).toHaveURL(/provider=therouter/);
  await expect(page.getByText("Nothing matches")).toBeVisible();
  await expect(tiles(page)).toHaveCount(0);
  await page.getByLabel("Provider filter").selectOption("demo");
  await expect(tiles(page)).toHaveCount(3);

  await page.getByRole("button", { name: "Favourites" }).click();
  await expect(page.getByRole("button", { name: "Favourites" })).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(/fav=1/);
  await expect(tiles(page)).toHaveCount(1);
  await expect(tiles(page).first()).toHaveAttribute("data-job-id", generated.id);
  await page.getByRole("button", { name: "Favourites" }).click();
  await expect(tiles(page)).toHaveCount(3);

  // Date range (UTC days): from tomorrow matches nothing, today matches all three.
  await page.getByLabel("From", { exact: true }).fill(dayAfter(today(), 1));
  await expect(page).toHaveURL(new RegExp(`from=${dayAfter(today(), 1)}`));
  await expect(tiles(page)).toHaveCount(0);
  await page.getByLabel("From", { exact: true }).fill(today());
  await page.getByLabel("To", { exact: true }).fill(today());
  await expect(tiles(page)).toHaveCount(3);
  await page.getByLabel("To", { exact: true }).fill(dayAfter(today(), -1));
  await expect(tiles(page)).toHaveCount(0);
  await page.getByLabel("To", { exact: true }).fill(today());

  // Everything is in the URL: a reload opens the same view, server-rendered.
  await page.getByLabel("Mode filter").selectOption("edit");
  await expect(page).toHaveURL(/mode=edit/);
  await expect(tiles(page)).toHaveCount(1);
  const url = page.url();
  expect(url).toContain(`provider=demo`);
  expect(url).toContain(`from=${today()}`);
  await page.reload();
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await expect(page.getByLabel("Search prompts")).toHaveValue(token);
  await expect(page.getByLabel("Provider filter")).toHaveValue("demo");
  await expect(page.getByLabel("Mode filter")).toHaveValue("edit");
  await expect(page.getByLabel("From", { exact: true })).toHaveValue(today());
  await expect(tiles(page)).toHaveCount(1);
  await expect(tiles(page).first()).toHaveAttribute("data-job-id", edited.id);

  await page.getByRole("button", { name: "Reset filters" }).click();
  await expect(tiles(page)).toHaveCount(3);
  expect(new URL(page.url()).search).toBe(`?q=${encodeURIComponent(token).replace(/%20/g, "+")}`);
});

test("the star marks a favourite, and the favourites filter follows it", async ({ page, request }) => {
  const token = unique("star");
  const job = await settle(request, (await createJob(request, { prompt: `${token} quiet courtyard` })).id);
  await openStudio(page, `/?q=${encodeURIComponent(token)}`);
  const tile = page.locator("li").filter({ has: page.locator(`[data-job-id="${job.id}"]`) });
  const star = tile.getByRole("button", { name: "Favourite" });
  await expect(star).toHaveAttribute("aria-pressed", "false");
  await tile.hover();
  await star.click();
  await expect(star).toHaveAttribute("aria-pressed", "true");
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${job.id}`)).json()) as Job).outputs[0]!.favorite)
    .toBe(true);

  await page.getByRole("button", { name: "Favourites" }).click();
  await expect(tiles(page)).toHaveCount(1);
  // Unstarring inside the favourites view drops it from the view.
  await star.click();
  await expect(tiles(page)).toHaveCount(0);
  expect(((await (await request.get(`/api/jobs/${job.id}`)).json()) as Job).outputs[0]!.favorite).toBe(false);
});

test("select with shift-click, download a zip of the selection, then delete it in bulk", async ({ page, request }) => {
  const token = unique("bulk");
  const jobs: Job[] = [];
  for (const word of ["one", "two", "three", "four"]) jobs.push(await createJob(request, { prompt: `${token} ${word}` }));
  const done = await Promise.all(jobs.map((j) => settle(request, j.id)));
  expect(done.every((j) => j.status === "succeeded")).toBe(true);
  // Newest first: four, three, two, one.
  const [four, three, two, one] = [...done].reverse() as [Job, Job, Job, Job];

  await openStudio(page, `/?q=${encodeURIComponent(token)}`);
  await expect(tiles(page)).toHaveCount(4);

  // Shift-click outside select mode enters it and selects that tile.
  await tiles(page).nth(0).click({ modifiers: ["Shift"] });
  const toolbar = page.getByRole("toolbar", { name: "Selection" });
  await expect(toolbar).toBeVisible();
  await expect(page.getByRole("button", { name: "Select", exact: true })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("selection-count")).toHaveText("1 selected");
  // Shift-click again selects the range from there.
  await tiles(page).nth(2).click({ modifiers: ["Shift"] });
  await expect(page.getByTestId("selection-count")).toHaveText("3 selected");
  await expect(tiles(page).nth(1)).toHaveAttribute("aria-pressed", "true");
  await expect(tiles(page).nth(3)).toHaveAttribute("aria-pressed", "false");
  // A plain click in select mode toggles one; still no navigation.
  await tiles(page).nth(1).click();
  await expect(page.getByTestId("selection-count")).toHaveText("2 selected");
  await expect(page).toHaveURL(/\/\?q=/);

  // Exactly two: Compare opens their first outputs, addressed by job (identical results share an image id).
  const compare = toolbar.getByRole("link", { name: "Compare" });
  // Its back link returns to this gallery, filtered as it is now.
  const compareHref = new URL((await compare.getAttribute("href"))!, page.url());
  expect(compareHref.pathname).toBe("/compare");
  expect([compareHref.searchParams.get("a"), compareHref.searchParams.get("b")]).toEqual([`${four.id}.0`, `${two.id}.0`]);
  const from = new URL(compareHref.searchParams.get("from")!, page.url());
  expect([from.pathname, from.searchParams.get("q"), from.hash]).toEqual(["/", token, "#history-heading"]);
  await tiles(page).nth(1).click();
  await expect(page.getByTestId("selection-count")).toHaveText("3 selected");
  await expect(compare).toHaveCount(0);

  // Download: a zip with the three images and recipes.json.
  const href = await toolbar.getByRole("link", { name: "Download zip" }).getAttribute("href");
  expect(href).toMatch(/^\/api\/export\?ids=/);
  const zipResponse = await request.get(href!);
  expect(zipResponse.status()).toBe(200);
  expect(zipResponse.headers()["content-type"]).toContain("application/zip");
  const zip = await zipResponse.body();
  expect([...zip.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  const files = unzipSync(new Uint8Array(zip));
  const names = Object.keys(files).sort();
  expect(names).toContain("recipes.json");
  for (const job of [four, three, two]) expect(names.some((n) => n.includes(job.outputs[0]!.imageId))).toBe(true);
  expect(names.some((n) => n.includes(one.outputs[0]!.imageId))).toBe(false);
  const recipes = JSON.parse(new TextDecoder().decode(files["recipes.json"])) as { prompt: string }[];
  expect(recipes.map((r) => r.prompt).sort()).toEqual([four.prompt, three.prompt, two.prompt].sort());

  // Delete asks first; cancelling keeps everything.
  await toolbar.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete 3 jobs?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(tiles(page)).toHaveCount(4);

  await toolbar.getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(dialog).toBeHidden();
  await expect(tiles(page)).toHaveCount(1);
  await expect(tiles(page).first()).toHaveAttribute("data-job-id", one.id);
  await expect(page.getByTestId("gallery-notice")).toContainText("Deleted 3 jobs");
  await expect(toolbar).toBeHidden();

  // Gone on the server too, files included.
  for (const job of [four, three, two]) {
    expect((await request.get(`/api/jobs/${job.id}`)).status()).toBe(404);
    expect((await request.get(`/api/images/${job.outputs[0]!.imageId}`)).status()).toBe(404);
    expect((await request.get(`/api/images/${job.outputs[0]!.imageId}?variant=thumb`)).status()).toBe(404);
  }
  expect((await request.get(`/api/images/${one.outputs[0]!.imageId}`)).status()).toBe(200);
  await page.reload();
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await expect(tiles(page)).toHaveCount(1);
});

test("select mode by keyboard: the Select button, Space to pick, Escape to leave", async ({ page, request }) => {
  const token = unique("keys");
  for (const word of ["left", "right"]) await settle(request, (await createJob(request, { prompt: `${token} ${word}` })).id);
  await openStudio(page, `/?q=${encodeURIComponent(token)}`);
  await expect(tiles(page)).toHaveCount(2);
  const select = page.getByRole("button", { name: "Select", exact: true });
  await select.focus();
  await page.keyboard.press("Enter");
  await expect(select).toHaveAttribute("aria-pressed", "true");
  await tiles(page).first().focus();
  await page.keyboard.press("Space");
  await expect(page.getByTestId("selection-count")).toHaveText("1 selected");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("toolbar", { name: "Selection" })).toBeHidden();
  await expect(select).toHaveAttribute("aria-pressed", "false");
  // Out of select mode a tile is a link to its job again.
  await expect(tiles(page).first()).toHaveAttribute("href", /^\/jobs\/[0-9A-Z]{26}$/);
});

test("the grid is windowed: thousands of jobs, only the rows near the viewport in the DOM", async ({ page }) => {
  // A synthetic history of 1,200 jobs served page by page (keyset cursors), thumbnails stubbed.
  const TOTAL = 1200;
  const token = unique("windowed");
  const thumb = `data:image/png;base64,${(await makePng(16, 16)).toString("base64")}`;
  const made = Date.now();
  const fakeJob = (i: number) => {
    const id = `01KWINDOW${String(TOTAL - i).padStart(17, "0")}`;
    const image = `01KIMAGE0${String(i).padStart(17, "0")}`;
    return {
      id,
      provider: "demo",
      model: "demo",
      mode: "generate",
      prompt: `${token} #${i}`,
      aspectRatio: "1:1",
      seed: i,
      n: 1,
      status: "succeeded",
      error: null,
      inputs: [],
      outputs: [{ imageId: image, url: thumb, thumbUrl: thumb, width: 1024, height: 1024, seed: i, favorite: false, note: null }],
      costUsd: 0,
      batchId: null,
      createdAt: new Date(made - i * 1000).toISOString(),
      startedAt: null,
      finishedAt: null,
    };
  };
  const requested: string[] = [];
  await page.route(/\/api\/jobs\?/, async (route) => {
    const url = new URL(route.request().url());
    if (url.searchParams.get("q") !== token) return route.fallback();
    const limit = Number(url.searchParams.get("limit"));
    const cursor = url.searchParams.get("cursor");
    const start = cursor ? TOTAL - Number(cursor.slice(9)) + 1 : 0;
    requested.push(cursor ?? "first");
    const items = Array.from({ length: Math.min(limit, TOTAL - start) }, (_, k) => fakeJob(start + k));
    const nextCursor = start + items.length < TOTAL ? items[items.length - 1]!.id : null;
    await route.fulfill({ json: { items, nextCursor } });
  });

  await page.setViewportSize({ width: 1280, height: 800 });
  await openStudio(page);
  await page.getByLabel("Search prompts").fill(token);
  const grid = page.getByTestId("gallery-window");
  await expect(grid).toHaveAttribute("data-total", /\d+/);
  await expect(tiles(page).first()).toHaveAttribute("data-job-id", fakeJob(0).id);

  // Scroll to the bottom repeatedly: pages load by cursor, the DOM stays small.
  // Keep scrolling to the end (in the page, like a designer holding End) until all pages are in.
  const reached = await page.evaluate(async (total) => {
    const grid = document.querySelector<HTMLElement>("[data-testid=gallery-window]")!;
    const started = performance.now();
    while (Number(grid.dataset.total) < total && performance.now() - started < 30_000) {
      window.scrollTo(0, document.documentElement.scrollHeight);
      await new Promise((r) => setTimeout(r, 30));
    }
    return Number(grid.dataset.total);
  }, TOTAL);
  expect(reached).toBe(TOTAL);
  expect(new Set(requested).size).toBe(Math.ceil(TOTAL / 48));
  const rendered = await tiles(page).count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(120);
  // The end of the list is there, and the grid's height holds every row (no jumps).
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(page.getByText(`That's everything · ${TOTAL} jobs`)).toBeVisible();
  await expect(tiles(page).last()).toHaveAttribute("data-job-id", fakeJob(TOTAL - 1).id);
  const { height, width } = await grid.evaluate((el) => ({ height: el.getBoundingClientRect().height, width: el.getBoundingClientRect().width }));
  const columns = Math.floor((width + 12) / (168 + 12));
  const tile = (width - 12 * (columns - 1)) / columns;
  const rows = Math.ceil(TOTAL / columns);
  expect(Math.abs(height - (rows * tile + (rows - 1) * 12))).toBeLessThan(2);
  // Every image has its size set, so nothing moves while thumbnails load.
  const sizes = await page.locator("main img").evaluateAll((imgs) => imgs.map((img) => [img.getAttribute("width"), img.getAttribute("height")]));
  expect(sizes.length).toBeGreaterThan(0);
  expect(sizes.every(([w, h]) => Number(w) > 0 && Number(h) > 0)).toBe(true);
});
