import { expect, test } from "@playwright/test";
import { encodePng, gradientPixels, unique, uploadPng } from "./helpers";

/**
 * An edit job's page asks nothing the server must refuse: its lineage starts at an upload,
 * which has no recipe, and the page knows that without asking for one.
 */

type Job = { id: string; status: string };

test("an edit job's page loads its lineage with no console error and no failed request", async ({ page, request }) => {
  const raw = gradientPixels(480, 320, 90);
  // Images are stored by content: a few random pixels make this upload a new image.
  for (let i = 0; i < 12; i++) raw[i] = Math.floor(Math.random() * 256);
  const uploadId = await uploadPng(request, await encodePng(raw, 480, 320));
  const response = await request.post("/api/jobs", { data: { provider: "demo", prompt: unique("Warmer light on the facade"), inputImageIds: [uploadId] } });
  expect(response.status()).toBe(201);
  const { id } = (await response.json()) as Job;
  await expect.poll(async () => ((await (await request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 }).toBe("succeeded");

  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });

  await page.goto(`/jobs/${id}`);
  await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");
  // The lineage: the upload (named as such), then this edit.
  const lineage = page.getByTestId("lineage");
  await expect(lineage.getByTestId("lineage-node")).toHaveCount(2);
  await expect(lineage.locator('[data-testid=lineage-node][data-depth="0"]')).toHaveAttribute("data-image-id", uploadId);
  await expect(lineage.getByRole("button", { name: "Original upload: select for comparison" })).toBeVisible();
  // Let any request still in flight end before judging.
  await page.waitForLoadState("networkidle");
  expect(errors).toEqual([]);
});
