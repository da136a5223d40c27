import { expect, type Page, test } from "@playwright/test";
import { dragDividerToQuarter, makePng, openStudio, unique } from "./helpers";

async function uploadByInput(page: Page, width: number, height: number) {
  await page.getByTestId("dropzone-input").setInputFiles({
    name: `photo-${width}x${height}.png`,
    mimeType: "image/png",
    buffer: await makePng(width, height),
  });
  await expect(page.getByTestId("input-size")).toHaveText(`${width} × ${height}`);
}

test("edits an uploaded image with the demo engine, from studio to job page and back", async ({ page }) => {
  const prompt = unique("Make it look like a warm sunset");
  await openStudio(page);
  await expect(page.getByRole("heading", { name: "History" })).toBeVisible();

  // The demo engine is the default and says so next to the submit button.
  await expect(page.getByTestId("provider-badge")).toHaveText("Demo — offline, not AI");
  await expect(page.getByTestId("price")).toHaveText("Free");
  await expect(page.getByRole("radio", { name: "Match input" })).toBeDisabled();

  await uploadByInput(page, 1600, 900);
  await expect(page.getByRole("img", { name: "Input image preview" })).toBeVisible();
  // With an input, "Match input" becomes available and is the default.
  await expect(page.getByRole("radio", { name: "Match input" })).toBeChecked();

  await page.getByLabel("Instruction").fill(prompt);
  await page.getByRole("button", { name: /Edit image/ }).click();

  // A live card shows the job as it goes, then the result. Its changes are pushed, so a job the
  // demo engine finished before the submit's answer came back shows as done at once.
  const card = page.getByTestId("job-card").filter({ hasText: prompt });
  await expect(card).toBeVisible();
  await expect(card.getByText(/Queued|Running|Done/).first()).toBeVisible();
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(card.locator("img").first()).toBeVisible();

  // The finished job is at the top of the history.
  const tile = page.getByTestId("gallery-tile").filter({ has: page.getByRole("img", { name: prompt }) });
  await expect(tile).toBeVisible();
  await expect(page.getByTestId("gallery-tile").first()).toHaveAttribute("data-status", "succeeded");

  // Job page: recipe and the comparison.
  await tile.click();
  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  await expect(page.getByTestId("job-prompt")).toHaveText(prompt);
  await expect(page.getByTestId("job-status")).toContainText("Done");
  await expect(page.getByText("Demo — offline, not AI")).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy seed" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Download/ })).toHaveAttribute("download", "");

  const slider = page.getByRole("slider", { name: "Before and after divider" });
  await expect(slider).toHaveAttribute("aria-valuenow", "50");

  // Drag the divider with the mouse to about a quarter of the width.
  const dragged = await dragDividerToQuarter(page, slider);

  // Keyboard: arrows move 5 %, Home/End go to the ends.
  await slider.focus();
  await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveAttribute("aria-valuenow", String(dragged + 5));
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(slider).toHaveAttribute("aria-valuenow", String(dragged - 5));
  await page.keyboard.press("End");
  await expect(slider).toHaveAttribute("aria-valuenow", "100");
  await page.keyboard.press("Home");
  await expect(slider).toHaveAttribute("aria-valuenow", "0");

  // Side by side shows both images.
  await page.getByRole("tab", { name: "Side by side" }).click();
  await expect(page.getByRole("tab", { name: "Side by side" })).toHaveAttribute("aria-selected", "true");
  const side = page.getByTestId("side-by-side");
  await expect(side.getByRole("img", { name: "Before: the input image" })).toBeVisible();
  await expect(side.getByRole("img", { name: `After: ${prompt}` })).toBeVisible();
  await expect(side).toContainText("1600 × 900");

  // "Edit this result" starts a new edit from the output.
  await page.getByRole("link", { name: "Edit this result" }).click();
  await expect(page).toHaveURL(/\/(\?input=[0-9A-Z]{26})?$/);
  // The output of "Match input" on a 1600 × 900 input is Kontext's 16:9 size.
  await expect(page.getByTestId("input-size")).toHaveText("1392 × 752");
  await expect(page.getByRole("radio", { name: "Match input" })).toBeChecked();

  // Everything is server data: a reload still shows the history.
  await openStudio(page);
  await page.reload();
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await expect(page.getByTestId("gallery-tile").filter({ has: page.getByRole("img", { name: prompt }) })).toBeVisible();
});

test("generates from text alone, with two images", async ({ page }) => {
  const prompt = unique("A ceramic teapot on linen, soft window light");
  await openStudio(page);
  await page.getByLabel("Instruction").fill(prompt);
  await page.getByRole("radio", { name: "16:9" }).check();
  await page.getByRole("radio", { name: "2 images" }).check();
  await page.getByLabel("Seed", { exact: true }).fill("1234");
  // Ctrl+Enter submits from anywhere in the form.
  await page.getByLabel("Instruction").press("Control+Enter");

  const card = page.getByTestId("job-card").filter({ hasText: prompt });
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await card.getByRole("link", { name: "Open job page" }).click();

  await expect(page).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  await expect(page.getByTestId("job-seed")).toHaveText("1234");
  await expect(page.getByText("Text to image")).toBeVisible();
  // No input: no comparison, just the result(s).
  await expect(page.getByRole("slider")).toHaveCount(0);
  await expect(page.getByRole("tab")).toHaveCount(0);
  const result = page.getByTestId("result-image");
  await expect(result).toBeVisible();
  const width = Number(await result.getAttribute("width"));
  const height = Number(await result.getAttribute("height"));
  expect(width / height).toBeGreaterThan(1.6);
  await expect(page.getByRole("button", { name: /Output \d of 2/ })).toHaveCount(2);
  await page.getByRole("button", { name: "Output 2 of 2" }).click();
  await expect(page.getByRole("button", { name: "Output 2 of 2" })).toHaveAttribute("aria-pressed", "true");

  // The history filters by prompt and by status.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Studio", exact: true }).click();
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  const token = prompt.split(" ").pop()!;
  await page.getByLabel("Search prompts").fill(token);
  const tiles = page.getByTestId("gallery-tile");
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first().getByRole("img")).toHaveAttribute("alt", prompt);
  await page.getByLabel("Status").selectOption("failed");
  await expect(page.getByText("Nothing matches")).toBeVisible();
  await expect(tiles).toHaveCount(0);
});

test("shows validation errors next to the field", async ({ page }) => {
  await openStudio(page);
  await page.getByRole("button", { name: /Generate/ }).click();
  const instruction = page.getByLabel("Instruction");
  await expect(page.getByText("Write an instruction")).toBeVisible();
  await expect(instruction).toHaveAttribute("aria-invalid", "true");
  await expect(instruction).toBeFocused();

  await instruction.fill("A quiet harbour at dawn");
  await expect(page.getByText("Write an instruction")).toHaveCount(0);
  await page.getByLabel("Seed", { exact: true }).fill("12.5");
  await page.getByRole("button", { name: /Generate/ }).click();
  await expect(page.getByText("The seed must be a whole number")).toBeVisible();
  await expect(page.getByTestId("job-card").filter({ hasText: "A quiet harbour at dawn" })).toHaveCount(0);
});

test("rejects a file that isn't an image, in plain words next to the dropzone", async ({ page }) => {
  await openStudio(page);
  await page.getByTestId("dropzone-input").setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("not an image"),
  });
  await expect(page.getByText(/isn't a PNG, JPEG or WebP image/)).toBeVisible();
  await expect(page.getByTestId("input-size")).toHaveCount(0);
});

test("takes an image pasted anywhere on the page", async ({ page }) => {
  await openStudio(page);
  const png = (await makePng(640, 480, 90)).toString("base64");
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "clipboard.png", { type: "image/png" }));
    document.body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
  }, png);
  await expect(page.getByTestId("input-size")).toHaveText("640 × 480");
});

test("takes an image dropped on the dropzone, and removes it", async ({ page }) => {
  await openStudio(page);
  const png = (await makePng(800, 1000, 40)).toString("base64");
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
    return data;
  }, png);
  const zone = page.getByTestId("dropzone");
  await zone.dispatchEvent("dragenter", { dataTransfer });
  await zone.dispatchEvent("drop", { dataTransfer });
  await expect(page.getByTestId("input-size")).toHaveText("800 × 1000");
  await expect(page.getByRole("radio", { name: "Match input" })).toBeChecked();

  await page.getByRole("button", { name: "Remove image" }).click();
  await expect(page.getByTestId("input-size")).toHaveCount(0);
  await expect(page.getByRole("radio", { name: "1:1" })).toBeChecked();
  await expect(page.getByRole("button", { name: /Generate/ })).toBeVisible();
});

test("unknown job ids get a not-found page", async ({ page }) => {
  const response = await page.goto("/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "No such job" })).toBeVisible();
});
