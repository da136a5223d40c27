// The memory soak (issue 14): thousands of jobs through one real server with fake providers,
// every provider of the catalog, a share of 12 MP uploads used as inputs and region edits,
// and the server's RSS after the first checkpoint, at the end and settled.
import { fakeEnv, startFake } from "./fakes.mjs";
import { photoLikeJpeg, photoLikePng, regionMaskPng, tinyPng } from "./images.mjs";
import { openDb } from "./seed.mjs";
import { freshDataDir, startServer } from "./server.mjs";
import { log, percentile, round, sleep, until } from "./util.mjs";

/** Out of every 100 jobs: what each is (the rest are tiny generations). */
const MIX = [
  ["region", 1], // of a 12 MP upload or, every other one, of the smaller one
  ["bigEdit", 2],
  ["demo", 3],
  ["therouter", 8],
  ["quickrouter", 8],
  ["dmxapi", 39],
  ["modelverse", 39],
];
const WHAT = {
  region: "region edits (Modelverse's edit model)",
  bigEdit: "edits of a 12 MP upload (QuickRouter and Modelverse in turn; the bench fake takes no TheRouter edit form)",
  demo: "demo-engine generations",
  therouter: "TheRouter generations",
  quickrouter: "QuickRouter generations",
  dmxapi: "DMXAPI generations",
  modelverse: "Modelverse generations",
};
export const MIX_TEXT = MIX.map(([kind, share]) => `${share} ${WHAT[kind]}`).join(", ");
const EDIT_MODEL = {
  therouter: "black-forest-labs/flux-kontext-dev",
  quickrouter: "black-forest-labs/flux-kontext-pro",
  modelverse: "black-forest-labs/flux-kontext-pro",
};
const GENERATE_MODEL = { ...EDIT_MODEL, dmxapi: "flux-kontext-pro", modelverse: "black-forest-labs/flux-kontext-max/text-to-image" };
const TERMINAL = `('succeeded', 'failed', 'canceled')`;
/** lib/worker.ts DEFAULT_IDLE_AFTER_MS: how long after its last job the worker collects garbage. */
const IDLE_COLLECTION_MS = 3000;

function kindOf(i) {
  let slot = (i * 37) % 100; // spread each kind over the hundred instead of running them back to back
  for (const [kind, share] of MIX) {
    if (slot < share) return kind;
    slot -= share;
  }
  return "dmxapi";
}

/**
 * sizes: { jobs, checkpoint, window, uploads, big: [w, h], small: [w, h], settleMs }. The server
 * runs the catalog's concurrency except for the two polled providers, raised so their 2–3 s
 * first poll does not set the run's length. Returns the figures' raw numbers.
 */
export async function runSoak({ sizes, http, tag }) {
  const tinyPool = await Promise.all(Array.from({ length: 64 }, (_, i) => tinyPng(50_000 + i)));
  let next = 0;
  const tiny = () => tinyPool[next++ % tinyPool.length];
  // A region edit's answer comes at the model's working size (its prompt says "region"); everything else answers small.
  const answer = await photoLikePng(1024, 1024, 9500);
  const fakes = {};
  for (const kind of ["dmxapi", "modelverse", "therouter", "quickrouter"]) {
    fakes[kind] = await startFake(kind, { image: (prompt) => (prompt.includes(" region ") ? answer : tiny()) });
  }
  const bigJpegs = [];
  for (let u = 0; u < sizes.uploads; u++) bigJpegs.push(await photoLikeJpeg(...sizes.big, 8000 + u));
  const smallJpeg = await photoLikeJpeg(...sizes.small, 8100);
  const masks = { big: (await regionMaskPng(...sizes.big)).png, small: (await regionMaskPng(...sizes.small)).png };

  const server = await startServer({
    dataDir: freshDataDir("soak"),
    env: { ...fakeEnv(fakes), DEMO_DELAY_MS: "50", THEROUTER_CONCURRENCY: "12", QUICKROUTER_CONCURRENCY: "12" },
  });
  log(`soak server at ${server.url} (ready in ${server.readyMs} ms)`);
  const db = openDb(server.dataDir);
  const finishedCount = db.prepare(`SELECT count(*) AS n FROM "Job" WHERE status IN ${TERMINAL}`);
  const statusCounts = db.prepare(`SELECT status, count(*) AS n FROM "Job" GROUP BY status`);
  const failures = db.prepare(`SELECT provider, prompt, errorCode, errorMessage, errorDetail FROM "Job" WHERE status = 'failed' LIMIT 5`);
  const finished = () => finishedCount.get().n;
  const timeline = [];
  const settledRss = async (count, gapMs) => {
    const samples = [];
    for (let i = 0; i < count; i++) {
      samples.push(server.rssMb());
      await sleep(gapMs);
    }
    return percentile(samples, 50);
  };
  try {
    const upload = async (bytes, name) => (await http.uploadImage(server.url, bytes, name)).id;
    const smallInput = { input: await upload(smallJpeg, "soak-small.jpg"), mask: await upload(masks.small, "soak-small-mask.png") };
    const bigMask = await upload(masks.big, "soak-big-mask.png");
    let big = null;
    const uploadEvery = Math.ceil(sizes.jobs / sizes.uploads);
    const body = async (i) => {
      // A fresh 12 MP upload now and then: its own decode, thumbnail and store, then it is the input.
      if (i % uploadEvery === 0) big = { input: await upload(bigJpegs[i / uploadEvery], `soak-${i}.jpg`), mask: bigMask };
      const kind = kindOf(i);
      const prompt = `soak ${kind} ${i} ${tag}`;
      if (kind === "region") {
        const from = i % 200 < 100 ? big : smallInput;
        return { provider: "modelverse", model: EDIT_MODEL.modelverse, aspectRatio: "match_input", prompt, inputImageIds: [from.input], maskImageId: from.mask };
      }
      if (kind === "bigEdit") {
        const provider = i % 2 ? "quickrouter" : "modelverse";
        return { provider, model: EDIT_MODEL[provider], aspectRatio: "match_input", prompt, inputImageIds: [big.input] };
      }
      if (kind === "demo") return { provider: "demo", prompt };
      return { provider: kind, model: GENERATE_MODEL[kind], prompt };
    };

    const drain = (count) =>
      until(async () => finished() >= count, { what: `${count} soak jobs to finish`, timeoutMs: 10 * 60_000, intervalMs: 100 });
    const started = Date.now();
    const cpu0 = server.cpuMs();
    const readings = {};
    let submitted = 0;
    for (const stop of [sizes.checkpoint, sizes.jobs]) {
      while (submitted < stop) {
        if (submitted - finished() >= sizes.window) {
          await sleep(20);
          continue;
        }
        await http.postJob(server.url, await body(submitted));
        submitted++;
        if (submitted % 250 === 0) timeline.push({ submitted, finished: finished(), rssMb: round(server.rssMb()), s: round((Date.now() - started) / 1000) });
      }
      // Both readings alike, of what the server keeps rather than of garbage not yet collected:
      // every job so far finished, then past the worker's idle collection (3 s after its last
      // job), the median of five samples.
      await drain(stop);
      await sleep(IDLE_COLLECTION_MS + 1500);
      readings[stop] = await settledRss(5, 100);
      log(`soak: ${stop} jobs finished after ${round((Date.now() - started) / 1000)} s, RSS ${round(readings[stop])} MB`);
    }
    const wallMs = Date.now() - started;
    const cpuMs = server.cpuMs() - cpu0;
    await sleep(sizes.settleMs);
    const settled = await settledRss(10, 100);
    const statuses = Object.fromEntries(statusCounts.all().map((r) => [r.status, r.n]));
    return {
      jobs: sizes.jobs,
      checkpoint: sizes.checkpoint,
      rssAtCheckpointMb: readings[sizes.checkpoint],
      rssAtEndMb: readings[sizes.jobs],
      settledMb: settled,
      statuses,
      failed: failures.all(),
      wallS: round(wallMs / 1000),
      serverCpuMsPerJob: round(cpuMs / sizes.jobs),
      timeline,
      peakMb: round(server.hwmMb()),
    };
  } catch (error) {
    error.message += `\nserver log tail:\n${server.logs().slice(-2000)}`;
    throw error;
  } finally {
    db.close();
    await server.stop();
    for (const f of Object.values(fakes)) await f.close();
  }
}
