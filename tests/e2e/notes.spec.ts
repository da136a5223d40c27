import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { unique } from "./helpers";

/**
 * A note on an image is saved as it is typed: nothing is lost to a reload or a closed tab,
 * and the page asks before it drops text it has not saved yet.
 */

type Job = { id: string; status: string; outputs: { imageId: string; note: string | null }[] };

async function finishedJob(request: APIRequestContext): Promise<Job> {
  const response = await request.post("/api/jobs", { data: { provider: "demo", prompt: unique("A harbour at dawn") } });
  expect(response.status()).toBe(201);
  const { id } = (await response.json()) as Job;
  await expect.poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 }).toBe("succeeded");
  return (await (await request.get(`/api/jobs/${id}`)).json()) as Job;
}

const savedNote = async (request: APIRequestContext, id: string) => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).outputs[0]!.note;

async function openJob(page: Page, id: string) {
  await page.goto(`/jobs/${id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
}

test("a note saves while the designer is still typing in it, and survives a reload", async ({ page, request }) => {
  const job = await finishedJob(request);
  await openJob(page, job.id);
  const note = page.getByLabel("Note", { exact: true });
  await note.click();
  await page.keyboard.type("Warmer sky, keep the boats");
  await expect(page.getByTestId("note-status")).toHaveText("Saved");
  // Never left the field.
  await expect(note).toBeFocused();
  await page.reload();
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
  await expect(page.getByLabel("Note", { exact: true })).toHaveValue("Warmer sky, keep the boats");
});

test("reloading right after typing asks first, and the note is kept", async ({ page, request }) => {
  const job = await finishedJob(request);
  await openJob(page, job.id);
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  await page.getByLabel("Note", { exact: true }).click();
  await page.keyboard.type("Crop tighter on the left");
  await page.reload();
  expect(dialogs).toEqual(["beforeunload"]);
  // The page sent what was typed as it went away.
  await expect.poll(() => savedNote(request, job.id)).toBe("Crop tighter on the left");
  await page.reload();
  await expect(page.getByLabel("Note", { exact: true })).toHaveValue("Crop tighter on the left");
});

test("closing the tab while a note is still being saved asks before leaving", async ({ page, request }) => {
  const job = await finishedJob(request);
  // A slow network: the save is still on its way when the tab is closed.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(`**/api/images/${job.outputs[0]!.imageId}`, async (route) => {
    if (route.request().method() !== "PATCH") return route.continue();
    await held;
    await route.continue().catch(() => undefined);
  });
  await openJob(page, job.id);
  const saving = page.waitForRequest((r) => r.method() === "PATCH" && r.url().includes(job.outputs[0]!.imageId));
  await page.getByLabel("Note", { exact: true }).click();
  await page.keyboard.type("Try it in black and white");
  await saving;
  await expect(page.getByTestId("note-status")).toHaveText("Saving…");

  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => dialogs).toEqual(["beforeunload"]);
  release();
});
