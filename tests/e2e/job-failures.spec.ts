import { expect, test } from "@playwright/test";
import { unique } from "./helpers";
import { cancelJob, insertJob } from "./rows";

/**
 * What the job page says when a job goes wrong: words for the designer with the provider's
 * raw answer behind "Details", the way out that fits the failure, and a job stuck at its
 * provider saying it is slower than usual. The rows are written into the shared server's
 * database (the demo engine cannot fail like a real provider); the page reads them as any other.
 */

// What a provider sent instead of JSON (an image answer cut off in its base64), as much as a job kept of it.
const RAW = `{"data":[{"b64_json":"iVBORw0KGgo${"AAAANSUhEUgAAAQAAAAEACAIAAADTED8xAAAA".repeat(120)}`.slice(0, 300);

async function openJob(page: import("@playwright/test").Page, id: string) {
  await page.goto(`/jobs/${id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
}

test("a malformed provider answer reads as words; the raw answer waits, cut short, behind Details", async ({ page }) => {
  // Stored the way jobs failed until now: the provider's answer inside the message.
  const id = insertJob({
    prompt: unique("Malformed answer"),
    status: "failed",
    startedAtMs: Date.now() - 20_000,
    errorCode: "invalid_response",
    errorMessage: `DMXAPI sent an answer Atelier does not understand. Provider said: not JSON: ${RAW}`,
  });
  await openJob(page, id);
  await expect(page.getByTestId("job-error")).toHaveText("DMXAPI sent an answer Atelier does not understand.");
  await expect(page.getByText(/b64_json/)).toBeHidden();

  const details = page.getByTestId("job-error-details");
  await expect(details).not.toHaveAttribute("open");
  await details.getByText("Details").click();
  const raw = details.getByText(/^not JSON: \{"data":\[\{"b64_json":"iVBORw0KGgo/);
  await expect(raw).toBeVisible();
  const text = (await raw.textContent())!;
  expect(text.length).toBeLessThanOrEqual(300);
  expect(text.endsWith("…")).toBe(true);
  // Any other failure may go better a second time: Retry stays the way out.
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit instruction" })).toHaveCount(0);
});

test("a job a content filter refused offers to edit the instruction, not to retry it", async ({ page }) => {
  const prompt = unique("A duel at dawn with swords");
  const id = insertJob({
    prompt,
    status: "failed",
    startedAtMs: Date.now() - 20_000,
    errorCode: "moderated",
    errorMessage: "TheRouter's content filter blocked this request. Rephrase the instruction or use another image.",
  });
  await openJob(page, id);
  await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await page.getByRole("link", { name: "Edit instruction" }).click();
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  const instruction = page.getByLabel("Instruction");
  await expect(instruction).toHaveValue(prompt);
  await expect(instruction).toBeFocused();
});

test("a job running well past its usual time says so, with the usual time", async ({ page }) => {
  const id = insertJob({ prompt: unique("Stuck at the provider"), status: "running", startedAtMs: Date.now() - 10 * 60_000 });
  try {
    await openJob(page, id);
    const progress = page.getByTestId("job-progress");
    await expect(progress).toContainText("Slower than usual");
    await expect(progress).toContainText(/usually takes about \d/);
    await expect(progress).not.toContainText("Working on it");
  } finally {
    cancelJob(id);
  }
});
