import { expect, type APIRequestContext, type Page, test } from "@playwright/test";
import { quiesce, serverWithFakes, unique } from "./helpers";

/**
 * The cost ledger: per day, provider and model, from the costs recorded on finished jobs.
 * Its sums must match the jobs themselves (the API's job list) and the API's ledger.
 */

type Row = { day: string; provider: string; model: string; jobs: number; images: number; costUsd: number };
type Ledger = { from: string; to: string; rows: Row[]; totalUsd: number; unpricedJobs: number; budget: { monthlyUsd: number | null; spentThisMonthUsd: number; scope: string; pendingUsd: number } };
type Job = { id: string; status: string; provider: string; model: string; costUsd: number | null; outputs: unknown[] };

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
/** The page's money format: a third decimal only when a sub-dollar amount has one. */
const usd = (v: number) => (v === 0 ? "$0.00" : v < 1 && !v.toFixed(3).endsWith("0") ? `$${v.toFixed(3)}` : `$${v.toFixed(2)}`);

async function createAndSettle(request: APIRequestContext, base: string, recipes: Record<string, unknown>[]): Promise<Job[]> {
  const ids: string[] = [];
  for (const recipe of recipes) {
    const response = await request.post(`${base}/api/jobs`, { data: recipe });
    expect(response.status(), await response.text()).toBe(201);
    ids.push(((await response.json()) as Job).id);
  }
  const jobs: Job[] = [];
  for (const id of ids) {
    for (let i = 0; ; i++) {
      const job = (await (await request.get(`${base}/api/jobs/${id}`)).json()) as Job;
      if (job.status !== "queued" && job.status !== "running") {
        jobs.push(job);
        break;
      }
      if (i > 160) throw new Error(`job ${id} did not finish`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return jobs;
}

/** Every succeeded job in the range, through the gallery API (keyset pages). */
async function succeededJobs(request: APIRequestContext, base: string, from: string, to: string): Promise<Job[]> {
  const all: Job[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `status=succeeded&from=${from}&to=${to}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
    const page = (await (await request.get(`${base}/api/jobs?${query}`)).json()) as { items: Job[]; nextCursor: string | null };
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Waits until no job on the server is queued or running (other specs' jobs too), so sums hold still. */
const sum = (rows: Row[], key: "jobs" | "images" | "costUsd") => rows.reduce((s, r) => s + r[key], 0);

async function expectPageMatches(page: Page, ledger: Ledger) {
  await expect(page.getByTestId("ledger-jobs")).toHaveText(String(sum(ledger.rows, "jobs")));
  await expect(page.getByTestId("ledger-images")).toHaveText(String(sum(ledger.rows, "images")));
  await expect(page.getByTestId("ledger-total")).toHaveText(usd(ledger.totalUsd));
  const table = page.getByTestId("ledger-table");
  if (ledger.rows.length === 0) {
    // An empty range says so instead of a table of zeros.
    await expect(table.locator("tbody")).toHaveText("No finished jobs in this range.");
    await expect(table.locator("tfoot")).toHaveCount(0);
    return;
  }
  const foot = table.locator("tfoot");
  await expect(foot.locator('[data-col="jobs"]')).toHaveText(String(sum(ledger.rows, "jobs")));
  await expect(foot.locator('[data-col="images"]')).toHaveText(String(sum(ledger.rows, "images")));
  await expect(foot.locator('[data-col="cost"]')).toHaveText(usd(ledger.totalUsd));
  // One table row per provider and model, each the sum of that pair's days.
  const pairs = new Map<string, Row[]>();
  for (const row of ledger.rows) pairs.set(`${row.provider}|${row.model}`, [...(pairs.get(`${row.provider}|${row.model}`) ?? []), row]);
  await expect(table.locator("tbody tr")).toHaveCount(pairs.size);
  for (const [key, rows] of pairs) {
    const [provider, model] = key.split("|") as [string, string];
    const tr = table.locator(`tbody tr[data-provider="${provider}"][data-model="${model}"]`);
    await expect(tr.locator('[data-col="jobs"]')).toHaveText(String(sum(rows, "jobs")));
    await expect(tr.locator('[data-col="images"]')).toHaveText(String(sum(rows, "images")));
  }
}

test("the ledger's sums match the jobs, on the page and in the API", async ({ page, request }) => {
  const token = unique("ledger");
  await createAndSettle(request, "", [
    { provider: "demo", prompt: `${token} one`, n: 1 },
    { provider: "demo", prompt: `${token} two`, n: 2 },
    { provider: "demo", prompt: `${token} three`, n: 3 },
  ]);
  await quiesce(request);
  const day = today();
  const ledger = (await (await request.get(`/api/ledger?from=${day}&to=${day}`)).json()) as Ledger;
  const jobs = await succeededJobs(request, "", day, day);
  // The API's ledger against the jobs themselves.
  expect(sum(ledger.rows, "jobs")).toBe(jobs.length);
  expect(sum(ledger.rows, "images")).toBe(jobs.reduce((s, j) => s + j.outputs.length, 0));
  expect(ledger.totalUsd).toBeCloseTo(jobs.reduce((s, j) => s + (j.costUsd ?? 0), 0), 6);
  const demo = ledger.rows.find((r) => r.provider === "demo" && r.day === day);
  expect(demo!.jobs).toBeGreaterThanOrEqual(3);
  expect(demo!.costUsd).toBe(0);

  await page.goto(`/ledger?from=${day}&to=${day}`);
  await expect(page.getByRole("heading", { name: "Cost ledger" })).toBeVisible();
  await expectPageMatches(page, ledger);
  await expect(page.getByTestId("ledger-table").locator('tbody tr[data-provider="demo"]')).toContainText("Demo engine (not AI)");

  // Images view: a bar for today, stacked by provider.
  await page.getByRole("link", { name: "Images" }).click();
  await expect(page).toHaveURL(/metric=images/);
  await expect(page.getByTestId("ledger-chart").locator(`rect[data-day="${day}"][data-provider="demo"]`)).toHaveCount(1);
});

test("the date range: picker, quick ranges and the header link", async ({ page, request }) => {
  await quiesce(request);
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ledger" }).click();
  await expect(page).toHaveURL(/\/ledger$/);
  // Default: the last 30 days, as the API.
  const ledger = (await (await request.get("/api/ledger")).json()) as Ledger;
  await expect(page.getByLabel("From", { exact: true })).toHaveValue(ledger.from);
  await expect(page.getByLabel("To", { exact: true })).toHaveValue(ledger.to);
  await expect(page.getByRole("link", { name: "30 days" })).toHaveAttribute("aria-current", "true");
  await expectPageMatches(page, ledger);

  await page.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(new RegExp(`from=${daysAgo(6)}&to=${today()}`));
  await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "true");

  await page.getByLabel("From", { exact: true }).fill(daysAgo(3));
  await page.getByLabel("To", { exact: true }).fill(daysAgo(1));
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`from=${daysAgo(3)}&to=${daysAgo(1)}`));
  const past = (await (await request.get(`/api/ledger?from=${daysAgo(3)}&to=${daysAgo(1)}`)).json()) as Ledger;
  await expectPageMatches(page, past);
  // Reversed dates are swapped, nonsense is refused in words.
  await page.goto(`/ledger?from=${today()}&to=${daysAgo(2)}`);
  await expect(page.getByLabel("From", { exact: true })).toHaveValue(daysAgo(2));
  await page.goto("/ledger?from=yesterday");
  await expect(page.getByRole("alert").filter({ hasText: "YYYY-MM-DD" })).toBeVisible();
});

test.describe("with priced and unpriced providers (local fakes)", () => {
  const own = serverWithFakes({ therouter: { key: "tr-ledger", pollsUntilDone: 1 }, dmxapi: { key: "dmx-ledger" } }, { ATELIER_BUDGET_USD: "5" });

  test("costs add up per provider and model, unpriced jobs are counted and named, the budget shows", async ({ page, request }) => {
    const base = own.server!.url;
    const jobs = await createAndSettle(request, base, [
      { provider: "therouter", prompt: unique("priced a") },
      { provider: "therouter", prompt: unique("priced b") },
      { provider: "therouter", prompt: unique("priced c") },
      { provider: "dmxapi", model: "flux-kontext-pro", prompt: unique("unpriced") },
      { provider: "demo", prompt: unique("free"), n: 2 },
    ]);
    expect(jobs.map((j) => j.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(jobs.map((j) => j.costUsd)).toEqual([0.018, 0.018, 0.018, null, 0]);

    const ledger = (await (await request.get(`${base}/api/ledger`)).json()) as Ledger;
    expect(ledger.totalUsd).toBeCloseTo(0.054, 6);
    expect(ledger.unpricedJobs).toBe(1);
    expect(ledger.budget).toEqual({ monthlyUsd: 5, spentThisMonthUsd: 0.054, scope: "studio", pendingUsd: 0 });

    await page.goto(`${base}/ledger`);
    await expectPageMatches(page, ledger);
    await expect(page.getByTestId("ledger-total")).toHaveText("$0.054");
    const table = page.getByTestId("ledger-table");
    await expect(table.locator('tbody tr[data-provider="therouter"] [data-col="cost"]')).toHaveText("$0.054");
    await expect(table.locator('tbody tr[data-provider="dmxapi"] [data-col="cost"]')).toHaveText("Price not published");
    await expect(page.getByTestId("unpriced-note")).toContainText("1 job ran on DMXAPI (price not published): it is counted in jobs and images, but not in the cost totals");
    await expect(page.getByTestId("ledger-budget")).toContainText("$0.054 of $5.00");
    await expect(page.getByRole("meter", { name: "Monthly budget used" })).toHaveAttribute("aria-valuenow", "0.054");
    // The spend chart stacks TheRouter's $0.054 on today.
    await expect(page.getByTestId("ledger-chart").locator(`rect[data-day="${today()}"][data-provider="therouter"]`)).toHaveCount(1);
  });
});
