import { expect, type Locator, type Page, test } from "@playwright/test";
import { makePng, unique, uploadPng } from "./helpers";

/**
 * The light theme re-points the zinc scale; a hard-coded white or black does not follow it.
 * These checks read the colours the browser actually paints (Tailwind 4 writes oklch, so each
 * colour is drawn into a canvas and read back as RGB) and compare them as WCAG does.
 */

type Job = { id: string; status: string; outputs: { imageId: string }[] };

/**
 * The contrast ratio between an element's text colour and what lies behind it: its own
 * background over its ancestors' (translucent layers composited as the browser does).
 */
function textContrast(element: Locator): Promise<number> {
  return element.evaluate(async (node) => {
    // Reading the style starts any pending colour transition; measure once it has ended.
    // A transition replaced by another rejects `finished` (AbortError); it has ended all the same.
    getComputedStyle(node).color;
    await Promise.all(node.getAnimations({ subtree: true }).map((animation) => animation.finished.catch(() => undefined)));
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const layers: string[] = [];
    for (let el: Element | null = node; el; el = el.parentElement) layers.unshift(getComputedStyle(el).backgroundColor);
    for (const layer of layers) {
      ctx.fillStyle = layer;
      ctx.fillRect(0, 0, 1, 1);
    }
    const back = Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
    ctx.fillStyle = getComputedStyle(node).color;
    ctx.fillRect(0, 0, 1, 1);
    const front = Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [luminance(front), luminance(back)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  });
}

async function finishedEdit(page: Page): Promise<Job> {
  const inputId = await uploadPng(page.request, await makePng(640, 480, 70), "light.png");
  const created = await page.request.post("/api/jobs", { data: { provider: "demo", prompt: unique("Warm light"), inputImageIds: [inputId] } });
  expect(created.status()).toBe(201);
  const id = ((await created.json()) as Job).id;
  let job: Job | undefined;
  await expect
    .poll(async () => (job = (await (await page.request.get(`/api/jobs/${id}`)).json()) as Job).status, { timeout: 20_000 })
    .toBe("succeeded");
  return job!;
}

const ACTIONS = [
  { role: "link", name: "Remix" },
  { role: "button", name: "Re-run same seed" },
  { role: "button", name: "Variations…" },
  { role: "link", name: "Download" },
  { role: "button", name: "Copy recipe" },
  { role: "button", name: "Compare with…" },
] as const;

for (const theme of ["light", "dark"] as const) {
  test(`${theme} theme: the job page's buttons keep a readable label under the pointer`, async ({ page }) => {
    await page.addInitScript((value) => localStorage.setItem("atelier-theme", value), theme);
    await page.setViewportSize({ width: 1440, height: 900 });
    const job = await finishedEdit(page);
    await page.goto(`/jobs/${job.id}`);
    await expect(page.locator("html")).toHaveClass(new RegExp(`\\b${theme}\\b`));
    await expect(page.getByTestId("job-view")).toHaveAttribute("data-ready", "true");

    for (const action of ACTIONS) {
      const button = page.getByRole(action.role, { name: action.name, exact: true });
      expect(await textContrast(button), `${action.name} at rest`).toBeGreaterThanOrEqual(4.5);
      await button.hover();
      expect(await textContrast(button), `${action.name} under the pointer`).toBeGreaterThanOrEqual(4.5);
    }

    // Right after a click the pointer still rests on the button: it must not turn blank.
    const copy = page.getByRole("button", { name: /Copy recipe|Copied/ });
    await copy.click();
    expect(await textContrast(copy), "Copy recipe after a click").toBeGreaterThanOrEqual(4.5);
  });
}
