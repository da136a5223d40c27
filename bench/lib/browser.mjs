// Front-end figures in Debian's Chromium (driven by playwright-core): first-load JS of a
// page (gzip of every JS response on a cold load) and time to the first gallery thumbnail.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";
import { onCleanup, ROOT, withTimeout } from "./util.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const CHROMIUM = process.env.BENCH_CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const NAV_TIMEOUT_MS = 60_000;

export async function launchBrowser() {
  const { chromium } = require("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
  const close = () => browser.close().catch(() => undefined);
  const remove = onCleanup(close);
  return {
    browser,
    async close() {
      remove();
      await close();
    },
  };
}

const gzipKb = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length / 1024;

/**
 * Loads `url` in a fresh context (cold cache) and sums the gzip size (zlib level 9) and raw
 * size of every JavaScript response: those requested before the page's load event are the
 * first load; those requested after it (idle preloads, lazy chunks) until the network is
 * idle are reported apart.
 */
export async function firstLoadJs(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    let loadedAt = Infinity;
    page.on("load", () => (loadedAt = performance.now()));
    const requestedAt = new Map();
    page.on("request", (request) => requestedAt.set(request, performance.now()));
    const pending = [];
    page.on("response", (response) => {
      const type = response.request().resourceType();
      const mime = response.headers()["content-type"] ?? "";
      if (type !== "script" && !/javascript/.test(mime)) return;
      const beforeLoad = (requestedAt.get(response.request()) ?? 0) < loadedAt;
      pending.push(
        response.body().then(
          (body) => ({ url: response.url().replace(/\?.*$/, ""), beforeLoad, raw: body.length / 1024, gzip: gzipKb(body) }),
          () => null,
        ),
      );
    });
    const res = await page.goto(url, { waitUntil: "load", timeout: NAV_TIMEOUT_MS });
    if (!res || res.status() !== 200) throw new Error(`GET ${url} answered ${res?.status()}`);
    await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => undefined);
    const files = [...new Map((await withTimeout(Promise.all(pending), 30_000, "reading JS bodies")).filter(Boolean).map((f) => [f.url, f])).values()];
    const first = files.filter((f) => f.beforeLoad);
    const later = files.filter((f) => !f.beforeLoad);
    const sum = (list, k) => list.reduce((s, f) => s + f[k], 0);
    const name = (f) => ({ file: new URL(f.url).pathname, gzipKb: Math.round(f.gzip * 10) / 10 });
    return {
      gzipKb: sum(first, "gzip"),
      rawKb: sum(first, "raw"),
      files: first.length,
      largest: first.sort((a, b) => b.gzip - a.gzip).slice(0, 6).map(name),
      afterLoad: { gzipKb: Math.round(sum(later, "gzip") * 10) / 10, files: later.map(name) },
    };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/**
 * The same figure from the build output: the root main files every page loads plus the
 * client chunks the route's layouts and page need (the client reference manifest's
 * entryJSFiles), each gzipped (level 9) from disk. `route` is "" for / or "jobs/[id]".
 */
export function buildFirstLoadJs(distDir, route) {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, "build-manifest.json"), "utf8"));
  const file = path.join(distDir, "server/app", route, "page_client-reference-manifest.js");
  const sandbox = { globalThis: {} };
  vm.runInNewContext(fs.readFileSync(file, "utf8"), sandbox, { timeout: 5000 });
  const entry = Object.values(sandbox.globalThis.__RSC_MANIFEST ?? {})[0];
  if (!entry?.entryJSFiles) throw new Error(`no entryJSFiles in ${file}`);
  const files = new Set(manifest.rootMainFiles ?? []);
  for (const [key, chunks] of Object.entries(entry.entryJSFiles)) {
    if (/\/(layout|template|page|loading)$/.test(key)) for (const c of chunks) files.add(c);
  }
  let gzip = 0;
  for (const f of files) gzip += gzipKb(fs.readFileSync(path.join(distDir, f)));
  return { gzipKb: gzip, files: files.size };
}

// Installed before any page script: records when the first gallery thumbnail is decoded
// and then painted (the animation frame after it completes), relative to navigation start.
const WATCH_FIRST_TILE = `(() => {
  const limit = performance.now() + 60000;
  const tick = () => {
    const img = document.querySelector('[data-testid="gallery"] img');
    if (img && img.complete && img.naturalWidth > 0) {
      const decodedAt = performance.now();
      requestAnimationFrame(() => { window.__benchFirstTile = { decodedAt, paintedAt: performance.now() }; });
      return;
    }
    if (performance.now() < limit) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** One cold load of `url`: ms from navigation start to the first gallery thumbnail painted, plus FCP and server response. */
export async function firstGalleryPaint(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(WATCH_FIRST_TILE);
    await page.goto(url, { waitUntil: "commit", timeout: NAV_TIMEOUT_MS });
    const handle = await page.waitForFunction(() => window.__benchFirstTile, null, { timeout: NAV_TIMEOUT_MS, polling: 50 });
    const tile = await handle.jsonValue();
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0];
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      return { responseStart: n?.responseStart ?? NaN, responseEnd: n?.responseEnd ?? NaN, fcp: fcp?.startTime ?? NaN, domContentLoaded: n?.domContentLoadedEventEnd ?? NaN };
    });
    return { paintedMs: tile.paintedAt, decodedMs: tile.decodedAt, ...nav };
  } finally {
    await context.close().catch(() => undefined);
  }
}
