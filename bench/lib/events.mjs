// Pushed job updates (issue 14): how soon a finished job shows in an open tab, on SQLite and on
// PostgreSQL with the job run by another instance, and what an idle studio tab asks of the
// server while jobs run, with the event stream up and with it blocked (the polling fallback,
// which is what every tab did before the stream).
import { launchBrowser } from "./browser.mjs";
import { fakeEnv, startFake } from "./fakes.mjs";
import { tinyPng } from "./images.mjs";
import { startPostgres } from "./postgres.mjs";
import { freshBackend, freshDataDir, startServer } from "./server.mjs";
import { log, percentile, postJob, round, sleep, summary, withTimeout } from "./util.mjs";

const SECTION = "Pushed updates (event stream)";
const DONE_BUDGET = { sqlite: { op: "<=", value: 50 }, pg: { op: "<=", value: 100 } };
const IDLE_BUDGET = { op: "<=", value: 2 };
const IDLE_JOBS = 10;
/** Long enough for the tab to open and connect before the provider answers (a tab that connects later is not counted). */
const PROVIDER_MS = 5000;
/** The smoke only checks that every figure comes out: shorter waits, fewer samples. */
const SMOKE_PROVIDER_MS = 2500;

// Installed before any page script: the epoch time at which the job page first shows a finished
// status, and at which the stream's message saying so arrived (to tell the server's share from React's).
const WATCH_DONE = `(() => {
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      super.addEventListener("job", (event) => {
        if (!window.__arrivedAt && /"status":"(succeeded|failed|canceled)"/.test(event.data)) window.__arrivedAt = performance.timeOrigin + performance.now();
      });
    }
  };
  const check = () => {
    if (window.__doneAt) return;
    const badge = document.querySelector('[data-testid="job-status"] [data-status]');
    if (badge && ["succeeded", "failed", "canceled"].includes(badge.getAttribute("data-status"))) {
      window.__doneAt = performance.timeOrigin + performance.now();
      window.__resolveDone?.(window.__doneAt);
    }
  };
  // The result image itself, loaded and decoded after the status (a new <img> in the result section).
  document.addEventListener("load", (event) => {
    const img = event.target;
    if (window.__doneAt && !window.__imageAt && img instanceof HTMLImageElement && img.closest('section[aria-label="Result"]')) window.__imageAt = performance.timeOrigin + performance.now();
  }, true);
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
})();`;

/** Provider done (the fake's answer leaves) → the open job page shows the job finished, per job. */
async function doneToVisible(browser, { page: base, api, fake, samples, tag }) {
  const latencies = [];
  const arrivals = [];
  const images = [];
  let late = 0;
  for (let i = 0; i < samples + 1; i++) {
    const prompt = `event latency ${tag} ${i}`;
    const job = await postJob(api, { provider: "dmxapi", model: "flux-kontext-pro", prompt });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.addInitScript(WATCH_DONE);
      const stream = page.waitForResponse((r) => r.url().includes("/api/events"), { timeout: 30_000 });
      await page.goto(`${base}/jobs/${job.id}`, { waitUntil: "load", timeout: 60_000 });
      await stream;
      const connectedAt = Date.now();
      // Asked now, well before the answer: Playwright's first call into a page evaluates its own
      // script there (~11 ms of the page's main thread), which must not land in the measured moment.
      const shown = page.evaluate(
        () => new Promise((resolve) => (window.__doneAt ? resolve(window.__doneAt) : (window.__resolveDone = resolve))),
      );
      const doneAt = await fake.whenSent(prompt);
      const shownAt = await withTimeout(shown, 30_000, "the job page showing the job finished");
      const imageAt = await page.waitForFunction(() => window.__imageAt, null, { timeout: 10_000 }).then((h) => h.jsonValue(), () => null);
      const arrivedAt = await page.evaluate(() => window.__arrivedAt ?? null);
      // The first one warms the server's routes up; one whose tab connected after the answer measures nothing.
      if (i === 0) continue;
      if (connectedAt > doneAt) late++;
      else {
        latencies.push(shownAt - doneAt);
        if (arrivedAt) arrivals.push(arrivedAt - doneAt);
        if (imageAt) images.push(imageAt - doneAt);
      }
    } finally {
      await context.close().catch(() => undefined);
    }
  }
  return { latencies, arrivals, images, late };
}

/** Requests per minute from a studio tab left alone while IDLE_JOBS jobs run; `blocked`: /api/events refused. */
async function idleRequests(browser, url, { windowMs, blocked }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    if (blocked) await page.route("**/api/events*", (route) => route.abort());
    await page.goto(`${url}/`, { waitUntil: "load", timeout: 60_000 });
    // Settled: no request for 3 s (link prefetches of the job cards come after load).
    let lastRequest = Date.now();
    const seen = [];
    let counting = false;
    page.on("request", (request) => {
      lastRequest = Date.now();
      if (counting) seen.push(new URL(request.url()).pathname);
    });
    const settleBy = Date.now() + 30_000;
    while (Date.now() - lastRequest < 3000 && Date.now() < settleBy) await sleep(250);
    counting = true;
    await sleep(windowMs);
    const cards = await page.locator('[data-testid="job-card"]').count();
    return { perMinute: (seen.length * 60_000) / windowMs, paths: [...new Set(seen)].slice(0, 8), cards };
  } finally {
    await context.close().catch(() => undefined);
  }
}

export async function eventsPart(results, { smoke }) {
  const samples = smoke ? 3 : 30;
  const windowMs = smoke ? 10_000 : 60_000;
  const providerMs = smoke ? SMOKE_PROVIDER_MS : PROVIDER_MS;
  const image = () => tinyPng(77);
  let chromium;
  const stops = [];
  try {
    chromium = await launchBrowser();
    const { browser } = chromium;
    // SQLite, one instance.
    const fake = await startFake("dmxapi", { image });
    stops.push(() => fake.close());
    fake.latencyMs = providerMs;
    const sqlite = await startServer({ dataDir: freshDataDir("events-sqlite"), env: fakeEnv({ dmxapi: fake }) });
    stops.push(() => sqlite.stop());
    log(`events: SQLite at ${sqlite.url}`);
    await record(results, "sqlite", () => doneToVisible(browser, { page: sqlite.url, api: sqlite.url, fake, samples, tag: "sqlite" }));

    // PostgreSQL: the tab on an instance without a worker, the job run by the other one.
    const cluster = await startPostgres();
    const url = await cluster.createDatabase("atelier_events");
    const shared = await freshBackend("events-pg", url);
    const front = await startServer({ dataDir: shared, databaseUrl: url, env: { ...fakeEnv({ dmxapi: fake }), ATELIER_WORKER: "off" } });
    stops.push(() => front.stop());
    const worker = await startServer({ dataDir: shared, databaseUrl: url, env: fakeEnv({ dmxapi: fake }) });
    stops.push(() => worker.stop());
    log(`events: PostgreSQL, tab on ${front.url}, worker at ${worker.url}`);
    await record(results, "pg", () => doneToVisible(browser, { page: front.url, api: front.url, fake, samples, tag: "pg" }));
    while (stops.length) await stops.pop()();

    // An idle studio tab while jobs run (the demo engine, slowed to outlast the window).
    const idle = await startServer({ dataDir: freshDataDir("events-idle"), env: { DEMO_DELAY_MS: "600000", DEMO_CONCURRENCY: String(IDLE_JOBS) } });
    stops.push(() => idle.stop());
    for (let i = 0; i < IDLE_JOBS; i++) await postJob(idle.url, { provider: "demo", prompt: `idle tab ${i}` });
    const id = "events.idle_studio_requests_per_min";
    const label = `Requests per minute from an idle studio tab while ${IDLE_JOBS} jobs run`;
    try {
      const streamed = await idleRequests(browser, idle.url, { windowMs, blocked: false });
      const polling = await idleRequests(browser, idle.url, { windowMs, blocked: true });
      results.details.eventsIdle = { streamed, polling };
      results.add({
        id,
        section: SECTION,
        label,
        value: streamed.perMinute,
        unit: "req/min",
        budget: IDLE_BUDGET,
        note: `with the stream blocked (the polling fallback, as every tab polled before): ${round(polling.perMinute)} req/min; ${streamed.cards} live cards shown; ${windowMs / 1000} s window`,
        why: `Requests seen: ${streamed.paths.join(", ")}.`,
      });
    } catch (error) {
      results.failed({ id, section: SECTION, label, unit: "req/min", budget: IDLE_BUDGET, error });
    }
  } finally {
    while (stops.length) await stops.pop()().catch(() => undefined);
    await chromium?.close();
  }
  results.method(
    SECTION,
    `Done → visible: a DMXAPI fake answers ${providerMs} ms after each call; meanwhile a fresh Chromium context opens the job's page (/jobs/<id>) and ` +
      `its event stream connects. The figure is the time from the fake sending its answer (its clock) to the page's status badge turning finished ` +
      `(a MutationObserver installed before any page script, epoch time; same machine, same clock; the bench's wait for it is set up in the page before the answer, ` +
      `so Playwright's own script is not evaluated in the measured moment), ${samples} jobs one at a time after one unmeasured. The result view renders just after the status ` +
      `(a deferred render); the time to the result image loaded in the page is given beside each figure. ` +
      `It includes storing the result (a 64 px PNG). On PostgreSQL the page is served by an instance with ATELIER_WORKER=off and the job is run by a ` +
      `second instance on the same database, so the change travels by NOTIFY. Idle tab: ${IDLE_JOBS} demo jobs kept running (600 s delay), the studio (/) ` +
      `loaded and left until no request for 3 s (at most 30 s), then every request the page makes in ${windowMs / 1000} s is counted, scaled to a minute (the stream's own connection, ` +
      `opened before, counts zero); again in a new context with /api/events refused, which makes the page poll as before the stream.`,
  );
}

async function record(results, backend, measure) {
  const id = `events.${backend}_done_to_visible_p95_ms`;
  const label = `Provider done → visible in an open tab, p95 (${backend === "pg" ? "PostgreSQL, job run by another instance" : "SQLite"})`;
  try {
    const { latencies, arrivals, images, late } = await measure();
    if (latencies.length === 0) throw new Error("no sample: every tab connected after the provider answered");
    const s = summary(latencies);
    results.add({
      id,
      section: SECTION,
      label,
      value: percentile(latencies, 95),
      unit: "ms",
      budget: DONE_BUDGET[backend],
      note:
        `p50 ${s.p50} ms, max ${round(Math.max(...latencies))} ms, ${latencies.length} jobs${late ? ` (${late} left out: the tab connected after the answer)` : ""}; ` +
        `of which the stream's message reaching the page: p50 ${round(percentile(arrivals, 50))} / p95 ${round(percentile(arrivals, 95))} ms (the rest is React rendering the status); ` +
        `the result image itself loaded: p50 ${round(percentile(images, 50))} / p95 ${round(percentile(images, 95))} ms (${images.length} jobs)`,
      why: `${results.contention(SECTION)} The path: the worker stores the result (sharp thumbnail, rows), publishes, the stream reads the job and writes it, React renders.`,
    });
  } catch (error) {
    results.failed({ id, section: SECTION, label, unit: "ms", budget: DONE_BUDGET[backend], error });
  }
}
