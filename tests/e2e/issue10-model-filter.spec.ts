import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { makePng, serverWithFakes, unique } from "./helpers";

/**
 * The gallery's model filter names each model with its provider and matches provider and
 * model together: QuickRouter and Modelverse both sell "black-forest-labs/flux-kontext-pro",
 * and each entry lists only its own provider's jobs. Its own server, with local fakes of
 * the two providers.
 */

type Job = { id: string; status: string };

const own = serverWithFakes({ quickrouter: { key: "qr-filter", pollsUntilDone: 1 }, modelverse: { key: "mv-filter" } });

async function settled(request: APIRequestContext, body: Record<string, unknown>): Promise<Job> {
  const response = await request.post(`${own.server!.url}/api/jobs`, { data: body });
  expect(response.status(), await response.text()).toBe(201);
  const { id } = (await response.json()) as Job;
  let job: Job | undefined;
  await expect
    .poll(async () => (job = (await (await request.get(`${own.server!.url}/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");
  return job!;
}

const tileIds = (page: Page) => page.getByTestId("gallery-tile").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-job-id")));

test("each model entry names its provider and lists only that provider's jobs", async ({ page, request }) => {
  const base = own.server!.url;
  const token = unique("Kontext pro");
  const upload = await request.post(`${base}/api/uploads`, { multipart: { file: { name: "in.png", mimeType: "image/png", buffer: await makePng(320, 240, 40) } } });
  expect(upload.status()).toBe(201);
  const inputId = ((await upload.json()) as { id: string }).id;
  const model = "black-forest-labs/flux-kontext-pro";
  const viaQuickRouter = await settled(request, { provider: "quickrouter", model, prompt: `${token} quick`, aspectRatio: "1:1" });
  const viaModelverse = await settled(request, { provider: "modelverse", model, prompt: `${token} verse`, inputImageIds: [inputId] });
  const viaDemo = await settled(request, { provider: "demo", prompt: `${token} demo`, aspectRatio: "1:1" });

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${base}/?q=${encodeURIComponent(token)}`);
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await expect(page.getByTestId("gallery-tile")).toHaveCount(3);

  const select = page.getByLabel("Model filter");
  const options = (await select.locator("option").allTextContents()).map((t) => t.trim());
  // Every entry is one provider's model, named with that provider, and no two read alike.
  expect(options).toContain("FLUX.1 Kontext [pro] · QuickRouter");
  expect(options).toContain("FLUX.1 Kontext [pro] edit (unverified) · Modelverse");
  expect(options).toContain("FLUX.1 Kontext [dev] · TheRouter");
  expect(options).toContain("FLUX.1 Kontext [dev] · DMXAPI");
  expect(new Set(options).size).toBe(options.length);

  await select.selectOption({ label: "FLUX.1 Kontext [pro] · QuickRouter" });
  await expect(page).toHaveURL(/model=quickrouter%3Ablack-forest-labs%2Fflux-kontext-pro/);
  await expect(page.getByTestId("gallery-tile")).toHaveCount(1);
  expect(await tileIds(page)).toEqual([viaQuickRouter.id]);

  await select.selectOption({ label: "FLUX.1 Kontext [pro] edit (unverified) · Modelverse" });
  await expect(page).toHaveURL(/model=modelverse%3A/);
  await expect(page.getByTestId("gallery-tile")).toHaveCount(1);
  expect(await tileIds(page)).toEqual([viaModelverse.id]);

  // The URL keeps the choice across a reload.
  await page.reload();
  await expect(page.getByLabel("Model filter")).toHaveValue(`modelverse:${model}`);
  await expect(page.getByTestId("gallery-tile")).toHaveCount(1);
  expect(await tileIds(page)).toEqual([viaModelverse.id]);

  // An older link's bare model id still works, matching that model at any provider.
  await page.goto(`${base}/?q=${encodeURIComponent(token)}&model=${encodeURIComponent(model)}`);
  await expect(page.getByTestId("gallery-tile")).toHaveCount(2);
  expect((await tileIds(page)).sort()).toEqual([viaQuickRouter.id, viaModelverse.id].sort());
  await expect(page.getByLabel("Model filter").locator("option:checked")).toHaveText(`${model} · any provider`);
  expect(await tileIds(page)).not.toContain(viaDemo.id);
});

test("the API takes the model filter with its provider, and the bare form as before", async ({ request }) => {
  const base = own.server!.url;
  const token = unique("Kontext pro API");
  const model = "black-forest-labs/flux-kontext-pro";
  const viaQuickRouter = await settled(request, { provider: "quickrouter", model, prompt: `${token} quick`, aspectRatio: "1:1" });
  const list = async (query: string) =>
    ((await (await request.get(`${base}/api/jobs?q=${encodeURIComponent(token)}&${query}`)).json()) as { items: Job[] }).items.map((j) => j.id);

  expect(await list(`model=${encodeURIComponent(`quickrouter:${model}`)}`)).toEqual([viaQuickRouter.id]);
  expect(await list(`model=${encodeURIComponent(`modelverse:${model}`)}`)).toEqual([]);
  expect(await list(`model=${encodeURIComponent(model)}`)).toEqual([viaQuickRouter.id]);
  expect(await list(`provider=quickrouter&model=${encodeURIComponent(model)}`)).toEqual([viaQuickRouter.id]);
  expect(await list(`provider=modelverse&model=${encodeURIComponent(model)}`)).toEqual([]);
});
