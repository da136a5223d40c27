import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";
import sharp from "sharp";
import { type Fleet, type FleetOptions, startFleet } from "../support/provider-fleet";
import { startServer, type TestServer } from "../support/server";

/** Shared by the specs. Specs share one server, so each works on jobs it made with its own unique token. */

export const unique = (label: string) => `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The RGB pixels of a gradient, to encode with encodePng (or to draw on first). */
export function gradientPixels(width: number, height: number, hue = 0): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = Math.floor((x / width) * 255 + hue) & 255;
      raw[i + 1] = Math.floor((y / height) * 255) & 255;
      raw[i + 2] = (160 + hue) & 255;
    }
  }
  return raw;
}

export function encodePng(raw: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** A PNG gradient made on the fly, so the repository holds no binary fixtures. */
export function makePng(width: number, height: number, hue = 0): Promise<Buffer> {
  return encodePng(gradientPixels(width, height, hue), width, height);
}

/** Uploads a PNG through the API; returns the new image's id. */
export async function uploadPng(request: APIRequestContext, buffer: Buffer, name = "photo.png"): Promise<string> {
  const response = await request.post("/api/uploads", {
    multipart: { file: { name, mimeType: "image/png", buffer } },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Opens the studio and waits until React has hydrated the form. */
export async function openStudio(page: Page, path = "/") {
  await page.goto(path);
  await expect(page.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
}

/** Drags the before/after divider with the mouse to about a quarter of the width; returns where it landed. */
export async function dragDividerToQuarter(page: Page, slider: Locator): Promise<number> {
  const box = await page.getByTestId("compare-slider").boundingBox();
  const handle = await slider.boundingBox();
  if (!box || !handle) throw new Error("comparison not laid out");
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const dragged = Number(await slider.getAttribute("aria-valuenow"));
  expect(dragged).toBeGreaterThan(20);
  expect(dragged).toBeLessThan(30);
  return dragged;
}

/** Waits until the shared test server has no queued or running job (specs share one server). */
export async function quiesce(request: APIRequestContext, base = "") {
  for (let i = 0; i < 240; i++) {
    const active = await Promise.all(
      ["queued", "running"].map(async (status) => ((await (await request.get(`${base}/api/jobs?status=${status}&limit=1`)).json()) as { items: unknown[] }).items.length),
    );
    if (active.every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("jobs kept running");
}

/**
 * A server of the file's (or describe block's) own, its paid providers pointed at local fakes:
 * started before its tests, stopped after. Read `server` and `fleet` inside tests.
 */
export function serverWithFakes<O extends FleetOptions>(options: O, env: Record<string, string> = {}) {
  const own: { server?: TestServer; fleet?: Fleet<O> } = {};
  test.beforeAll(async () => {
    own.fleet = await startFleet(options);
    own.server = await startServer({ env: { ...own.fleet.env, ...env } });
  });
  test.afterAll(async () => {
    await own.server?.stop();
    await own.fleet?.close();
  });
  return own;
}
