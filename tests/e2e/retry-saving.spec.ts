import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { openStudio, quiesce, unique } from "./helpers";

/**
 * A result the data folder could not take (full, read-only) fails `storage_failed` with the
 * provider's job kept; "Retry saving", on the studio's card or on the job page, fetches it
 * again, and once the folder is back the page shows the saved result. The demo engine runs
 * through the real pipeline; only the folder is broken.
 */

/**
 * A file where the originals folder should be: root ignores permissions, but cannot create a
 * file under a file. The shared server's originals wait beside the data folder meanwhile; the
 * returned function puts them back, and may be called more than once.
 */
function blockImageFolder(): () => void {
  const dataDir = process.env.ATELIER_TEST_DATA_DIR;
  if (!dataDir) throw new Error("ATELIER_TEST_DATA_DIR is not set (the global setup sets it)");
  const originals = path.join(dataDir, "images", "originals");
  const aside = path.join(dataDir, `originals-aside-${process.pid}`);
  const had = fs.existsSync(originals);
  if (had) fs.renameSync(originals, aside);
  fs.mkdirSync(path.dirname(originals), { recursive: true });
  fs.writeFileSync(originals, "not a folder");
  let restored = false;
  return () => {
    if (restored) return;
    fs.rmSync(originals, { force: true });
    if (had) fs.renameSync(aside, originals);
    restored = true;
  };
}

async function finishedAt(request: APIRequestContext, id: string): Promise<string | null> {
  return ((await (await request.get(`/api/jobs/${id}`)).json()) as { finishedAt: string | null }).finishedAt;
}

test("a result the folder could not take is saved by Retry saving, and the page shows it", async ({ page, request }) => {
  const prompt = unique("A lighthouse kept for later");
  await quiesce(request); // no other spec's job should meet the broken folder
  await openStudio(page);
  const restore = blockImageFolder();
  try {
    await page.getByLabel("Instruction").fill(prompt);
    await page.getByRole("button", { name: /Generate/ }).click();
    const card = page.getByTestId("job-card").filter({ hasText: prompt });
    await expect(card).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
    await expect(card.getByTestId("job-error")).toContainText("The result could not be saved");
    const href = await card.getByRole("link", { name: "Open job page" }).getAttribute("href");
    const id = href!.split("/").pop()!;

    // Still broken: the retry on the card fetches the result again and fails again, in the same words.
    const first = await finishedAt(request, id);
    await card.getByRole("button", { name: "Retry saving" }).click();
    await expect.poll(() => finishedAt(request, id), { timeout: 20_000 }).not.toBe(first);
    await expect(card).toHaveAttribute("data-status", "failed");
    await expect(card.getByTestId("job-error")).toContainText("not writable");
    await expect(card.getByRole("button", { name: "Retry saving" })).toBeVisible();

    await card.getByRole("link", { name: "Open job page" }).click();
    await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
    await expect(page.getByTestId("job-error")).toContainText("choose “Retry saving”");
    // Saving again costs nothing; running the recipe again would: only the first is offered.
    await expect(page.getByRole("button", { name: "Retry", exact: true })).toHaveCount(0);

    restore();
    await page.getByRole("button", { name: "Retry saving" }).click();
    const result = page.getByRole("region", { name: "Result" }).getByRole("img", { name: prompt });
    await expect(result).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expect(page.getByTestId("job-status")).toContainText("Done");
    await expect(page.getByTestId("job-error")).toHaveCount(0);
  } finally {
    restore();
  }
});
