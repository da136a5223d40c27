// Small helpers shared by the bench: timing, percentiles, bounded waiting, cleanup.
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds since the epoch with sub-millisecond precision (this process's clock). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN when empty. */
export function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export const round = (v, digits = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

export function summary(values) {
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    max: round(percentile(values, 100)),
    min: round(percentile(values, 0.0001)),
  };
}

/** Rejects after `ms` with a message naming what timed out. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `check` until it returns a truthy value; bounded by both a count and a time limit.
 * Returns that value or throws naming `what`.
 */
export async function until(check, { what, timeoutMs, intervalMs = 100, maxTries = Math.ceil(timeoutMs / intervalMs) + 10 }) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < maxTries; i++) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}

/** Runs async `fn` over `items` with at most `limit` in flight. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

// ---------------------------------------------------------------------------------------
// Cleanup: every server, fake, browser and temp dir registers here; run() on any exit path.

const cleanups = [];
let cleaning;

export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function runCleanups() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await withTimeout(Promise.resolve().then(fn), 20_000, "cleanup step");
      } catch (error) {
        console.error(`[bench] cleanup step failed: ${error?.message ?? error}`);
      }
    }
  })();
  return cleaning;
}

export function log(...args) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
}

/**
 * How much of one core this process gets right now: spins for `ms` of wall time and
 * returns CPU time used ÷ wall time (about 1 on an otherwise idle machine).
 */
export function cpuShare(ms = 300) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let x = 0;
  while (performance.now() - t0 < ms) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
  const used = process.cpuUsage(cpu0);
  return { share: (used.user + used.system) / 1000 / (performance.now() - t0), sink: x > 0 };
}

/** POST /api/jobs with a square aspect ratio unless `body` says otherwise; the created job. */
export async function postJob(base, body) {
  const res = await fetch(`${base}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ aspectRatio: "1:1", ...body }),
    signal: AbortSignal.timeout(30_000),
  });
  const json = await res.json().catch(() => null);
  if (res.status !== 201) throw new Error(`POST /api/jobs answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}
