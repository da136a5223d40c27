/**
 * Load (issue 5): 200 jobs submitted at once across every provider, against loopback fakes
 * with realistic latency, while a designer keeps browsing the gallery. All 200 must end
 * succeeded with their one image, no provider may ever see more jobs in flight than its
 * catalog `concurrency`, no submission may be sent twice, and every gallery request must be
 * answered. Bounded: 200 jobs, loopback only, about a minute, three at most.
 *
 * The figures (submit and gallery latency percentiles, peak server RSS, wall time) go to
 * tests/.artifacts/stress-results.json (or $STRESS_RESULTS_FILE) and the console. They are recorded, not asserted: machines are noisy.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOG, type ProviderId } from "../../lib/catalog";
import type { DmxapiFake, ModelverseFake, QuickRouterFake, TheRouterFake } from "../support/provider-fakes";
import { type Fleet, startFleet } from "../support/provider-fleet";
import { type Json, jobProblems, ROOT, startServer, type TestServer } from "../support/server";
import { startLatencyProxy, type LatencyProxy } from "./support/latency-proxy";
import { fakeProvidersEnv } from "../support/provider-env";
import { sleep } from "../support/wait";
import { type Interval, maxOverlap, percentile, round1, sampleRss, serverPid } from "./support/measure";

const KEYS = { therouter: "tr-stress-key", quickrouter: "qr-stress-key", dmxapi: "dmx-stress-key", modelverse: "mv-stress-key" };
/** How many jobs each provider gets (200 in all). */
const MIX: Record<ProviderId, number> = { demo: 60, dmxapi: 40, modelverse: 40, quickrouter: 40, therouter: 20 };
const TOTAL = Object.values(MIX).reduce((a, b) => a + b, 0);
const DEMO_DELAY_MS = 200;
/** How long each sync provider holds its answer. */
const SYNC_DELAY_MS = 300;
const BROWSE_EVERY_MS = 100;
const FINISH_WITHIN_MS = 150_000;
const SEARCH_WORD = "lantern";
// Outside the tracked tree, so `npm test` leaves `git status` clean.
const RESULTS_FILE = process.env.STRESS_RESULTS_FILE || path.join(ROOT, "tests/.artifacts/stress-results.json");

let tr: TheRouterFake;
let qr: QuickRouterFake;
let dmx: DmxapiFake;
let mv: ModelverseFake;
let fleet: Fleet | undefined;
let mvProxy: LatencyProxy;
let server: TestServer | undefined;

beforeAll(async () => {
  const started = await startFleet({
    therouter: { key: KEYS.therouter, pollsUntilDone: 1 }, // done at the first poll, 3 s after submission
    quickrouter: { key: KEYS.quickrouter, pollsUntilDone: 1 }, // done at the first poll, 2 s after submission
    dmxapi: { key: KEYS.dmxapi },
    modelverse: { key: KEYS.modelverse },
  });
  fleet = started;
  ({ therouter: tr, quickrouter: qr, dmxapi: dmx, modelverse: mv } = started.fakes);
  // fakeModelverse has no latency of its own: its generation answers are held back by a proxy, which Atelier is pointed at.
  mvProxy = await startLatencyProxy(mv.url, (method, p) => (method === "POST" && p === "/v1/images/generations" ? SYNC_DELAY_MS : 0));
  server = await startServer({
    env: {
      ...started.env,
      ...fakeProvidersEnv({ modelverse: KEYS.modelverse }, { modelverse: mvProxy.url }),
      PROVIDER_REQUEST_TIMEOUT_MS: "20000",
      PROVIDER_SYNC_TIMEOUT_MS: "30000",
      DEMO_DELAY_MS: String(DEMO_DELAY_MS),
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await mvProxy?.close();
  await fleet?.close();
});

type Timed = { status: number; ms: number; body: Json; url: string; type: string };

/**
 * One HTTP request on a connection of its own (no keep-alive), timed to the last byte.
 * A fresh connection per request keeps a pooled connection that the server closed while idle
 * (its keep-alive timeout, easily crossed on a loaded machine) from passing for a failure to
 * answer: any failure recorded here is the server's. status 0 = no answer (with the reason).
 */
function timedRequest(url: string, opts: { method?: string; json?: string } = {}): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, body: Json, type = "") => resolve({ status, ms: performance.now() - t0, body, url, type });
    const req = http.request(
      url,
      {
        method: opts.method ?? "GET",
        agent: false,
        headers: opts.json === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(opts.json) },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => done(0, `response error: ${e.message}`));
        res.on("end", () => {
          const type = String(res.headers["content-type"] ?? "");
          const raw = Buffer.concat(chunks);
          let body: Json = raw.length;
          if (type.includes("json")) {
            try {
              body = JSON.parse(raw.toString("utf8"));
            } catch {
              body = raw.toString("utf8");
            }
          }
          done(res.statusCode ?? 0, body, type);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 60 s")));
    req.on("error", (e: NodeJS.ErrnoException) => done(0, `${e.code ?? ""} ${e.message}`));
    req.end(opts.json);
  });
}

/** The gallery as a designer uses it while jobs pour in: first page, a search, the next page. */
function browseGallery(base: string): { stop(): Promise<Timed[]> } {
  const seen: Timed[] = [];
  let running = true;
  const loop = (async () => {
    let cursor: string | null = null;
    for (let i = 0; running; i++) {
      let url = `${base}/api/jobs?limit=30`;
      if (i % 3 === 1) url = `${base}/api/jobs?limit=30&q=${SEARCH_WORD}`;
      if (i % 3 === 2 && cursor) url = `${base}/api/jobs?limit=30&cursor=${cursor}`;
      const r = await timedRequest(url);
      seen.push(r);
      if (i % 3 === 0 && r.status === 200) cursor = r.body?.nextCursor ?? null;
      await sleep(BROWSE_EVERY_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** One prompt per job; every third one carries the search word. */
function promptFor(provider: ProviderId, i: number): string {
  return `Stress ${provider} #${i}: ${i % 3 === 0 ? `a paper ${SEARCH_WORD} over` : "a quiet"} harbour`;
}

describe("load: 200 jobs at once while browsing", () => {
  it("runs every job once, within each provider's concurrency, and keeps answering", async () => {
    const s = server!;
    // Interleave the providers so every queue fills at once.
    const work: { provider: ProviderId; prompt: string }[] = [];
    const queues = (Object.keys(MIX) as ProviderId[]).map((provider) => Array.from({ length: MIX[provider] }, (_, i) => ({ provider, prompt: promptFor(provider, i) })));
    while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) work.push(q.shift()!);
    expect(work).toHaveLength(TOTAL);
    for (const { provider, prompt } of work) if (provider === "dmxapi") dmx.plan(prompt, { submitDelayMs: SYNC_DELAY_MS });

    // Warm the routes up first (Next loads a route's code on its first request), so the
    // figures are about load, not about a cold start. The refused POST creates nothing.
    for (const url of [`/api/jobs?limit=30`, `/api/jobs?limit=30&q=${SEARCH_WORD}`]) expect((await timedRequest(`${s.url}${url}`)).status).toBe(200);
    const refusedWarmUp = await timedRequest(`${s.url}/api/jobs`, { method: "POST", json: "{}" });
    expect(refusedWarmUp.status).toBe(400);

    const pid = serverPid(s.url);
    if (process.platform === "linux") expect(pid, "the server's process id (from /proc)").toBeDefined();
    const rss = sampleRss(pid, 100);
    const started = performance.now();
    const browsing = browseGallery(s.url);

    // All 200 at once.
    const submits = await Promise.all(
      work.map(({ provider, prompt }) =>
        timedRequest(`${s.url}/api/jobs`, { method: "POST", json: JSON.stringify({ provider, prompt, aspectRatio: "1:1" }) }),
      ),
    );
    const refused = submits.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    expect(refused, "every submission is accepted").toEqual([]);
    const ids = submits.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(TOTAL);

    // Wait until nothing is queued or running (bounded).
    const deadline = Date.now() + FINISH_WITHIN_MS;
    for (;;) {
      const [queued, running] = await Promise.all([
        timedRequest(`${s.url}/api/jobs?status=queued&limit=1`),
        timedRequest(`${s.url}/api/jobs?status=running&limit=1`),
      ]);
      if (queued.body?.items?.length === 0 && running.body?.items?.length === 0) break;
      if (Date.now() > deadline) throw new Error(`jobs still active after ${FINISH_WITHIN_MS} ms`);
      await sleep(500);
    }
    const wallMs = performance.now() - started;
    const gallery = await browsing.stop();
    const rssSamples = rss.stop();

    // Every job succeeded with one stored, downloadable image.
    const jobs: Json[] = [];
    for (const id of ids) {
      const { status, body } = await timedRequest(`${s.url}/api/jobs/${id}`);
      expect(status, JSON.stringify(body)).toBe(200);
      jobs.push(body);
    }
    const notOk = jobs.filter((j) => j.status !== "succeeded" || j.outputs?.length !== 1).map((j) => `${j.provider} ${j.id} ${j.status} ${JSON.stringify(j.error)}`);
    expect(notOk, "every job ends succeeded with one output").toEqual([]);
    for (const job of jobs) expect(jobProblems(job), job.id).toEqual([]);
    const unreadable: string[] = [];
    for (const job of jobs) {
      const res = await timedRequest(`${s.url}${job.outputs[0].url}`);
      if (res.status !== 200 || !/^image\//.test(res.type)) unreadable.push(`${job.id} ${res.status} ${res.type}`);
    }
    expect(unreadable, "every output is served").toEqual([]);

    // Every submission reached its provider exactly once.
    const byProvider = (p: ProviderId) => work.filter((w) => w.provider === p).map((w) => w.prompt);
    const fakes = { therouter: tr, quickrouter: qr, dmxapi: dmx, modelverse: mv } as const;
    for (const [provider, fake] of Object.entries(fakes) as [Exclude<ProviderId, "demo">, (typeof fakes)[keyof typeof fakes]][]) {
      const counts = byProvider(provider).map((prompt) => fake.submissions(prompt).length);
      expect(counts.filter((c) => c !== 1), `${provider}: prompts not submitted exactly once`).toEqual([]);
      expect(fake.submissions(), `${provider}: submissions in all`).toHaveLength(MIX[provider]);
    }

    // In-flight windows per provider, from what the fakes saw.
    const windows: Record<ProviderId, Interval[]> = { demo: [], therouter: [], quickrouter: [], dmxapi: [], modelverse: [] };
    for (const prompt of byProvider("therouter")) {
      const id = tr.jobIdFor(prompt)!;
      const polls = tr.polls(id);
      expect(polls.length, `TheRouter polls for ${id}`).toBeGreaterThanOrEqual(1);
      windows.therouter.push({ start: tr.receivedAt(tr.submissions(prompt)[0]!)!, end: tr.receivedAt(polls[polls.length - 1]!)!, label: id });
    }
    for (const prompt of byProvider("quickrouter")) {
      const id = qr.predictionIdFor(prompt)!;
      const polls = qr.polls(id);
      expect(polls.length, `QuickRouter polls for ${id}`).toBeGreaterThanOrEqual(1);
      windows.quickrouter.push({ start: qr.receivedAt(qr.submissions(prompt)[0]!)!, end: qr.receivedAt(polls[polls.length - 1]!)!, label: id });
    }
    for (const req of dmx.submissions()) {
      const at = dmx.receivedAt(req)!;
      windows.dmxapi.push({ start: at, end: at + SYNC_DELAY_MS });
    }
    const mvCalls = mvProxy.calls.filter((c) => c.method === "POST" && c.path === "/v1/images/generations");
    expect(mvCalls).toHaveLength(MIX.modelverse);
    for (const c of mvCalls) windows.modelverse.push({ start: c.receivedAt, end: c.answeredAt });
    // The demo engine has no fake: its window is the job's own, claim to finish.
    for (const job of jobs.filter((j) => j.provider === "demo")) {
      windows.demo.push({ start: Date.parse(job.startedAt), end: Date.parse(job.finishedAt) });
    }
    // A second, coarser view for every provider: the jobs' own claim-to-finish windows.
    const jobWindows = (p: ProviderId) => jobs.filter((j) => j.provider === p).map((j) => ({ start: Date.parse(j.startedAt), end: Date.parse(j.finishedAt) }));

    const concurrency: Record<string, { limit: number; providerView: number; jobView: number }> = {};
    for (const provider of Object.keys(MIX) as ProviderId[]) {
      const limit = CATALOG[provider].concurrency;
      const providerView = maxOverlap(windows[provider]);
      const jobView = maxOverlap(jobWindows(provider));
      concurrency[provider] = { limit, providerView, jobView };
      expect(windows[provider], provider).toHaveLength(MIX[provider]);
      expect(providerView, `${provider}: most jobs in flight at the provider`).toBeGreaterThanOrEqual(1);
      expect(providerView, `${provider}: most jobs in flight at the provider`).toBeLessThanOrEqual(limit);
      expect(jobView, `${provider}: most jobs running at once`).toBeLessThanOrEqual(limit);
    }

    // The API stayed responsive: every gallery request answered 200.
    const galleryFailures = gallery.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.url} ${JSON.stringify(r.body).slice(0, 200)}`);
    expect(gallery.length, "gallery requests made during the load").toBeGreaterThan(10);
    expect(galleryFailures, "gallery requests that failed").toEqual([]);
    const pages = gallery.filter((r) => !r.url.includes("q=") && !r.url.includes("cursor="));
    const searches = gallery.filter((r) => r.url.includes("q="));
    const nextPages = gallery.filter((r) => r.url.includes("cursor="));
    expect(searches.length).toBeGreaterThan(0);
    expect(nextPages.length).toBeGreaterThan(0);
    // The search finds only what it should.
    for (const r of searches) for (const item of r.body.items as Json[]) expect(item.prompt).toContain(SEARCH_WORD);

    // Figures.
    const submitMs = submits.map((r) => r.ms);
    const galleryMs = gallery.map((r) => r.ms);
    const figures = {
      recordedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGb: round1(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverageAtEnd: os.loadavg().map(round1) },
      setup: {
        jobs: TOTAL,
        mix: MIX,
        fakeLatency: { demoDelayMs: DEMO_DELAY_MS, syncAnswerDelayMs: SYNC_DELAY_MS, quickrouterPollMs: 2000, therouterFirstPollMs: 3000 },
        browsing: { everyMs: BROWSE_EVERY_MS, requests: ["GET /api/jobs?limit=30", `GET /api/jobs?limit=30&q=${SEARCH_WORD}`, "GET /api/jobs?limit=30&cursor=…"] },
      },
      wallTimeMs: Math.round(wallMs),
      submit: { count: submitMs.length, p50Ms: round1(percentile(submitMs, 50)), p95Ms: round1(percentile(submitMs, 95)), maxMs: round1(Math.max(...submitMs)) },
      gallery: {
        count: galleryMs.length,
        p50Ms: round1(percentile(galleryMs, 50)),
        p95Ms: round1(percentile(galleryMs, 95)),
        maxMs: round1(Math.max(...galleryMs)),
        firstPage: { count: pages.length, p50Ms: round1(percentile(pages.map((r) => r.ms), 50)), p95Ms: round1(percentile(pages.map((r) => r.ms), 95)) },
        search: { count: searches.length, p50Ms: round1(percentile(searches.map((r) => r.ms), 50)), p95Ms: round1(percentile(searches.map((r) => r.ms), 95)) },
        cursorPage: { count: nextPages.length, p50Ms: round1(percentile(nextPages.map((r) => r.ms), 50)), p95Ms: round1(percentile(nextPages.map((r) => r.ms), 95)) },
      },
      serverRss:
        rssSamples.length > 0
          ? { samples: rssSamples.length, startMb: round1(rssSamples[0]!), peakMb: round1(Math.max(...rssSamples)), endMb: round1(rssSamples[rssSamples.length - 1]!) }
          : { samples: 0, note: "no /proc (not Linux) or the server process was not found" },
      concurrency,
    };
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(
      [
        `stress load: ${TOTAL} jobs in ${(wallMs / 1000).toFixed(1)} s (${Object.entries(MIX).map(([p, n]) => `${p} ${n}`).join(", ")})`,
        `  POST /api/jobs  p50 ${figures.submit.p50Ms} ms  p95 ${figures.submit.p95Ms} ms  max ${figures.submit.maxMs} ms`,
        `  gallery (${figures.gallery.count} requests)  p50 ${figures.gallery.p50Ms} ms  p95 ${figures.gallery.p95Ms} ms  max ${figures.gallery.maxMs} ms`,
        `  server RSS peak ${"peakMb" in figures.serverRss ? `${figures.serverRss.peakMb} MB (start ${figures.serverRss.startMb} MB)` : "n/a"}`,
        `  in flight at once (provider view / job view ≤ limit): ${Object.entries(concurrency).map(([p, c]) => `${p} ${c.providerView}/${c.jobView}≤${c.limit}`).join(", ")}`,
        `  written to ${path.relative(ROOT, RESULTS_FILE)}`,
      ].join("\n"),
    );
  }, 180_000);
});
