import { expect, type Locator, type Page, test } from "@playwright/test";
import { makePng, openStudio, serverWithFakes, unique, uploadPng } from "./helpers";

/**
 * What designers trip over in the studio: choices that can't run, five wordings for a
 * missing price, feedback out of sight on a phone, a draft lost on reload, a wrapping
 * submit bar. Paid providers are local fakes on a server this file starts itself.
 */

type Job = { id: string; status: string };

// Several of these run a handful of jobs and start a second server; the shared machine is slow.
test.describe.configure({ timeout: 150_000 });

async function attach(page: Page, width: number, height: number) {
  await page.getByTestId("dropzone-input").setInputFiles({ name: `photo-${width}x${height}.png`, mimeType: "image/png", buffer: await makePng(width, height) });
  await expect(page.getByTestId("input-size")).toHaveText(`${width} × ${height}`);
}

/** The vertical centre of every line of text inside, so a wrapped label shows up as a second line. */
function textLineCentres(locator: Locator): Promise<number[]> {
  return locator.evaluate((root) => {
    const centres: number[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) if (rect.width > 0) centres.push(rect.top + rect.height / 2);
    }
    return centres;
  });
}

async function expectOneLine(locator: Locator) {
  const centres = await textLineCentres(locator);
  expect(centres.length).toBeGreaterThan(1);
  expect(Math.max(...centres) - Math.min(...centres)).toBeLessThanOrEqual(4);
  // Nothing cut off either: no text hidden behind an ellipsis.
  const clipped = await locator.evaluate((root) => [...root.querySelectorAll("*")].some((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow === "hidden"));
  expect(clipped).toBe(false);
}

const submitButton = (page: Page) => page.getByRole("form", { name: "New image" }).locator('button[type="submit"]');

test.describe("on a phone", () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test("after a tap on submit, a line right under the button says the job is running and links to it", async ({ page }) => {
    const prompt = unique("Lemon grove at noon, hard shadows");
    await openStudio(page);
    await page.getByLabel("Instruction").fill(prompt);
    await submitButton(page).tap();

    const notice = page.getByTestId("submitted-notice");
    await expect(notice).toBeInViewport();
    await expect(notice).toContainText(prompt);
    await expect(notice.getByText(/Queued|Running|Done/)).toBeVisible();
    // Where the eye is: just under the button, not in the list far below.
    const button = (await submitButton(page).boundingBox())!;
    const box = (await notice.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(button.y + button.height);
    expect(box.y - (button.y + button.height)).toBeLessThan(60);
    await expect(notice).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
    await expect(notice).toContainText("Done");

    await notice.getByRole("link", { name: "View job" }).tap();
    await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
    await expect(page.getByTestId("job-prompt")).toHaveText(prompt);
  });
});

test("the studio draft (instruction, ratio, seed, count, input image) survives a reload and a submit; a remix or ?input= wins", async ({ page, request }) => {
  const prompt = unique("Terracotta pots on a windowsill");
  await openStudio(page);
  await attach(page, 1200, 800);
  await page.getByLabel("Instruction").fill(prompt);
  await page.getByRole("radio", { name: "4:3" }).check();
  await page.getByLabel("Seed", { exact: true }).fill("77");
  await page.getByRole("radio", { name: "2 images" }).check();

  const expectDraft = async (instruction: string) => {
    await expect(page.getByLabel("Instruction")).toHaveValue(instruction);
    await expect(page.getByRole("radio", { name: "4:3" })).toBeChecked();
    await expect(page.getByLabel("Seed", { exact: true })).toHaveValue("77");
    await expect(page.getByRole("radio", { name: "2 images" })).toBeChecked();
    await expect(page.getByTestId("input-size")).toHaveText("1200 × 800");
    await expect(page.getByRole("img", { name: "Input image preview" })).toBeVisible();
    await expect(submitButton(page)).toHaveText(/Edit image/);
  };

  await page.reload();
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await expectDraft(prompt);

  // A submit keeps the recipe: it is what the designer iterates on.
  await submitButton(page).click();
  await expect(page.getByTestId("job-card").filter({ hasText: prompt })).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await openStudio(page);
  await expectDraft(prompt);

  // `?input=` (continue editing a result) replaces the input, keeps the rest.
  const other = await uploadPng(request, await makePng(640, 640, 90));
  await openStudio(page, `/?input=${other}`);
  await expect(page.getByTestId("input-size")).toHaveText("640 × 640");
  await expect(page.getByLabel("Instruction")).toHaveValue(prompt);

  // A remix link wins over the saved draft, and becomes the draft.
  const remixPrompt = unique("Remixed: blue hour harbour");
  const created = await request.post("/api/jobs", { data: { provider: "demo", model: "demo", prompt: remixPrompt, aspectRatio: "16:9", seed: 5150, n: 1 } });
  expect(created.status()).toBe(201);
  const job = (await created.json()) as Job;
  await openStudio(page, `/?remix=${job.id}`);
  await expect(page.getByLabel("Instruction")).toHaveValue(remixPrompt);
  await expect(page.getByLabel("Seed", { exact: true })).toHaveValue("5150");
  await expect(page.getByRole("radio", { name: "16:9" })).toBeChecked();
  await expect(page.getByTestId("input-size")).toHaveCount(0);
  await openStudio(page);
  await expect(page.getByLabel("Instruction")).toHaveValue(remixPrompt);
  await expect(page.getByLabel("Seed", { exact: true })).toHaveValue("5150");
});

test.describe("with paid providers (local fakes)", () => {
  const own = serverWithFakes({ therouter: { key: "tr-i10", pollsUntilDone: 1 }, dmxapi: { key: "dmx-i10" }, modelverse: { key: "mv-i10" } });

  test("no invalid choices: edit-only models wait for an image, text-only models can't take one, the button says what will run", async ({ page }) => {
    const base = own.server!.url;
    await openStudio(page, `${base}/`);
    const model = page.getByLabel("Model", { exact: true });
    const blocked = page.getByTestId("submit-blocked");
    await page.getByLabel("Instruction").fill(unique("Swap the sofa for a green one"));

    // An edit-only model without an image: said in the list, and beside a disabled button.
    const editOnly = page.locator('#model option[value="modelverse::black-forest-labs/flux-kontext-pro"]');
    await expect(editOnly).toContainText("needs an input image");
    await model.selectOption("modelverse::black-forest-labs/flux-kontext-pro");
    await expect(submitButton(page)).toBeDisabled();
    await expect(submitButton(page)).toHaveText(/Edit image/);
    await expect(blocked).toContainText("This model needs an input image");
    await expect(submitButton(page)).toHaveAttribute("aria-describedby", "submit-blocked");
    await page.getByLabel("Instruction").press("Control+Enter");
    await expect(page.locator("#submit-error, #input-image-error")).toHaveCount(0);
    await expect(page.getByTestId("job-card")).toHaveCount(0);

    // With the image it runs as an edit.
    await attach(page, 800, 600);
    await expect(blocked).toHaveCount(0);
    await expect(submitButton(page)).toBeEnabled();
    await expect(submitButton(page)).toHaveText(/Edit image/);

    // With an image, text-only models are listed but can't be picked.
    const textOnly = page.locator('#model option[value="dmxapi::flux-kontext-pro"]');
    await expect(textOnly).toBeDisabled();
    await expect(textOnly).toContainText("text to image only");

    // Picked before the image came: the button is disabled and says why.
    await page.getByRole("button", { name: "Remove image" }).click();
    await expect(textOnly).toBeEnabled();
    await model.selectOption("dmxapi::flux-kontext-pro");
    await expect(submitButton(page)).toBeEnabled();
    await expect(submitButton(page)).toHaveText(/Generate image/);
    await attach(page, 800, 600);
    await expect(submitButton(page)).toBeDisabled();
    await expect(submitButton(page)).toHaveText(/Generate image/);
    await expect(blocked).toContainText("This model makes images from text only. Remove the input image");

    // The demo engine does both: the label follows the image.
    await model.selectOption("demo::demo");
    await expect(submitButton(page)).toHaveText(/Edit image/);
    await page.getByRole("button", { name: "Remove image" }).click();
    await expect(submitButton(page)).toHaveText(/Generate image/);
    await expect(submitButton(page)).toBeEnabled();
  });

  test("the submit bar stays on one line at 1440×900, whatever the label and the price", async ({ page }) => {
    const base = own.server!.url;
    await page.setViewportSize({ width: 1440, height: 900 });
    await openStudio(page, `${base}/`);
    const model = page.getByLabel("Model", { exact: true });
    // The button with the fan-out toggle beside it; the provider and the price above it.
    const row = submitButton(page).locator("..");
    const meta = page.getByTestId("provider-badge").locator("..");

    for (const choice of ["dmxapi::flux-kontext-pro", "therouter::black-forest-labs/flux-kontext-dev", "demo::demo"]) {
      await model.selectOption(choice);
      await expectOneLine(row);
      await expectOneLine(meta);
    }
    await expect(page.getByTestId("price")).toHaveText("Free");
    await model.selectOption("dmxapi::flux-kontext-pro");
    await expect(page.getByTestId("price")).toHaveText("Price not published");
    await expectOneLine(row);
    await model.selectOption("modelverse::black-forest-labs/flux-kontext-max");
    await attach(page, 1600, 900);
    await expect(submitButton(page)).toHaveText(/Edit image/);
    await expect(page.getByTestId("price")).toHaveText("Price not published");
    await expectOneLine(row);
    await expectOneLine(meta);
  });

  test("one wording for a missing price: studio, fan-out and variations show an estimate or “Price not published”", async ({ page, request }) => {
    const base = own.server!.url;
    await openStudio(page, `${base}/`);
    await page.getByLabel("Instruction").fill(unique("Linen napkins, flat lay"));
    await page.getByLabel("Model", { exact: true }).selectOption("dmxapi::flux-kontext-max");
    await expect(page.getByTestId("price")).toHaveText("Price not published");
    await page.getByRole("button", { name: "Fan-out" }).click();
    const panel = page.getByTestId("fan-out-panel");
    const dmx = panel.locator("label").filter({ hasText: "FLUX.1 Kontext [max] · DMXAPI" });
    await expect(dmx).toContainText("Price not published");
    await expect(panel.locator("label").filter({ hasText: "Demo engine" })).toContainText("Free");
    await expect(panel.getByTestId("fan-out-price")).toHaveText("Price not published");
    await dmx.getByRole("checkbox").uncheck();
    await panel.getByRole("checkbox", { name: /FLUX.1 Kontext \[dev\] · TheRouter/ }).check();
    await expect(panel.getByTestId("fan-out-price")).toHaveText("$0.018");

    // Variations: n × price before sending.
    const make = async (body: Record<string, unknown>) => {
      const created = await request.post(`${base}/api/jobs`, { data: { prompt: unique("Variations source"), aspectRatio: "1:1", ...body } });
      expect(created.status()).toBe(201);
      return ((await created.json()) as Job).id;
    };
    const cases: [string, string][] = [
      [await make({ provider: "therouter", model: "black-forest-labs/flux-kontext-dev" }), "$0.072"],
      [await make({ provider: "dmxapi", model: "flux-kontext-pro" }), "Price not published"],
      [await make({ provider: "demo", model: "demo", n: 2 }), "Free"],
    ];
    for (const [id, estimate] of cases) {
      await page.goto(`${base}/jobs/${id}`);
      await page.getByRole("button", { name: /Variations/ }).click();
      await page.getByRole("radio", { name: "4 variations" }).check();
      await expect(page.getByTestId("variations-price")).toHaveText(estimate);
    }
    await page.getByRole("radio", { name: "2 variations" }).check();
    await expect(page.getByText("Estimated total · 4 images")).toBeVisible();
  });

  test("Running & recent keeps a failed job until it is cleared, across reloads of the tab", async ({ page }) => {
    const base = own.server!.url;
    const failing = unique("This one fails");
    own.fleet!.fakes.dmxapi.plan(failing, { fault: "failed" });
    await openStudio(page, `${base}/`);
    await page.getByLabel("Model", { exact: true }).selectOption("dmxapi::flux-kontext-pro");
    await page.getByLabel("Instruction").fill(failing);
    await submitButton(page).click();
    const failed = page.getByTestId("job-card").filter({ hasText: failing });
    await expect(failed).toHaveAttribute("data-status", "failed", { timeout: 20_000 });

    // More results than the list keeps: the failure stays anyway.
    await page.getByLabel("Model", { exact: true }).selectOption("demo::demo");
    for (let i = 0; i < 5; i++) {
      const prompt = unique(`Later success ${i}`);
      await page.getByLabel("Instruction").fill(prompt);
      await submitButton(page).click();
      await expect(page.getByTestId("job-card").filter({ hasText: prompt })).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
    }
    await expect(failed).toBeVisible();
    await expect(failed.getByTestId("job-error")).toBeVisible();

    // A reload of the tab keeps it too.
    await page.reload();
    await expect(failed.getByTestId("job-error")).toBeVisible();

    await page.getByRole("button", { name: "Clear finished" }).click();
    await expect(failed).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
    await expect(failed).toHaveCount(0);
  });
});
