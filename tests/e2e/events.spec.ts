import { expect, type Page, test } from "@playwright/test";
import { openStudio, quiesce, serverWithFakes, unique } from "./helpers";

/**
 * Pushed updates (issue 14): the studio learns of a job's progress from the tab's event stream
 * instead of asking about each job; without the stream it polls as before, quietly; and a job
 * that finishes while the tab is hidden shows in the title, on any page that watches it.
 */

const JOB_POLL = /\/api\/jobs\/[0-9A-HJKMNP-TV-Z]{26}$/;

function jobPolls(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    const { pathname } = new URL(request.url());
    if (request.method() === "GET" && JOB_POLL.test(pathname)) seen.push(pathname);
  });
  return seen;
}

async function submit(page: Page, prompt: string) {
  await page.getByLabel("Instruction").fill(prompt);
  await page.getByLabel("Instruction").press("Control+Enter");
  return page.getByTestId("job-card").filter({ hasText: prompt });
}

test("the studio shows a job finish from the event stream, without asking about the job", async ({ page, request }) => {
  await quiesce(request);
  const polls = jobPolls(page);
  const stream = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/events");
  await openStudio(page);
  expect((await stream).headers()["content-type"]).toContain("text/event-stream");

  const card = await submit(page, unique("A kite over the dunes"));
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(card.locator("img").first()).toBeVisible();
  expect(polls).toEqual([]);
});

test("with the event stream refused, the job still finishes on the page, and nothing alarming is said", async ({ page, request }) => {
  await quiesce(request);
  await page.route("**/api/events*", (route) => route.abort());
  const polls = jobPolls(page);
  await openStudio(page);

  const card = await submit(page, unique("A kite over the sea"));
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  // It got there by asking, as before the stream.
  expect(polls.length).toBeGreaterThan(0);
  // (Next's route announcer is an empty alert region on every page.)
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(/connection|reconnect|stream|went wrong|live updates/i);
});

test.describe("a job page in a hidden tab", () => {
  const own = serverWithFakes({ therouter: { key: "tr-e2e-events", pollsUntilDone: 1 } });

  test("counts a job that finishes while hidden in the title, and clears it on return", async ({ page }) => {
    const { server, fleet } = own;
    const tr = fleet!.fakes.therouter;
    tr.holding = true;
    const created = await page.request.post(`${server!.url}/api/jobs`, {
      data: { provider: "therouter", model: "black-forest-labs/flux-kontext-dev", prompt: unique("A lantern in the snow"), aspectRatio: "1:1" },
    });
    const job = (await created.json()) as { id: string };
    const polls = jobPolls(page);
    const stream = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/events");
    // A fresh stream cannot know what happened before it opened: the page reads its active job once.
    const firstRead = page.waitForResponse((response) => JOB_POLL.test(new URL(response.url()).pathname));
    await page.goto(`${server!.url}/jobs/${job.id}`);
    await stream;
    await firstRead;
    const readsBefore = polls.length;
    const status = page.getByTestId("job-status").locator("[data-status]");
    await expect(status).toHaveAttribute("data-status", "running", { timeout: 15_000 });
    const title = await page.title();

    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    tr.holding = false;
    await expect(status).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
    await expect(page).toHaveTitle(`(1) ${title}`);
    expect(polls.length).toBe(readsBefore);

    await page.evaluate(() => {
      delete (document as { hidden?: boolean }).hidden;
      delete (document as { visibilityState?: string }).visibilityState;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await expect(page).toHaveTitle(title);
  });
});
