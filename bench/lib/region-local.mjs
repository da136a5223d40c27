// Our side of a region edit against a plain decode + PNG encode of the same image, in a
// child process of its own (run.mjs starts it), so no server, fake or sampler of the bench
// shares its cores' time or its heap. It runs the server's own code (lib/region through
// jiti, as tests/support/queue-worker.mjs does) and prints one JSON line with the timings.
//
//   node --expose-gc bench/lib/region-local.mjs '{"sizes":[[4000,3000]],"rounds":5}'
import path from "node:path";
import { createJiti } from "jiti";
import { photoLikeJpeg, photoLikePng, regionMaskPng, sharp } from "./images.mjs";
import { ROOT, round } from "./util.mjs";

const { sizes, rounds } = JSON.parse(process.argv[2] ?? "{}");
if (!Array.isArray(sizes) || !(rounds >= 1)) throw new Error("usage: region-local.mjs '{\"sizes\":[[w,h],…],\"rounds\":n}'");

const jiti = createJiti(import.meta.url, {
  alias: { "@": ROOT, "server-only": path.join(ROOT, "node_modules/server-only/empty.js") },
  fsCache: true,
});
const region = await jiti.import(path.join(ROOT, "lib/region/index.ts"));
const { OUTPUT_PNG } = await jiti.import(path.join(ROOT, "lib/region/composite.ts"));
const { CATALOG } = await jiti.import(path.join(ROOT, "lib/catalog.ts"));
// As lib/images.ts sets it in the server; with the cache on, a repeated decode of the same
// input would be served from memory and both sides would look cheaper than they are.
sharp.cache(false);

// The ratios the server passes for the model the memory figure's job uses.
const MODEL = CATALOG.modelverse.models.find((m) => m.id === "black-forest-labs/flux-kontext-pro");
const gc = globalThis.gc ?? (() => {});

/** Wall and CPU (all threads: libvips' too) time of one call, after a full GC so no earlier garbage is collected inside it. */
async function timed(fn) {
  gc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, out };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const out = [];
for (const [i, [width, height]] of sizes.entries()) {
  const input = await photoLikeJpeg(width, height, 9100 + i);
  const mask = await regionMaskPng(width, height);
  // The provider's answer: a photo-like PNG at the working size the plan asks for.
  const { plan } = await region.prepareRegionEdit(input, mask.png, MODEL.aspectRatios);
  const result = await photoLikePng(plan.size.width, plan.size.height, 9200 + i);

  const ours = () => region.regionEditLocal(input, result, mask.png, MODEL.aspectRatios);
  const baseline = () => sharp(input).png(OUTPUT_PNG).toBuffer();
  // One unmeasured pass of each (code paths, allocator), then alternating pairs, each side
  // going first in every other round so a slow drift of the machine's load favours neither.
  const check = await ours();
  if (check.change.outsideMask !== 0) throw new Error("the composite changed pixels outside the mask");
  const baselinePng = await baseline();
  const pairs = [];
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0 ? baseline : ours;
    const second = first === baseline ? ours : baseline;
    const a = await timed(first);
    const b = await timed(second);
    const [base, mine] = first === baseline ? [a, b] : [b, a];
    pairs.push({ base, ours: mine });
  }
  // Where our time goes, once, outside the measured rounds (planning the crop is arithmetic).
  const read = await timed(() => region.readMask(mask.png, { width, height }));
  const crop = await timed(() => region.cropForProvider(input, plan.rect, plan.size));
  const comp = await timed(() => region.compositeRegion(input, result, read.out, plan.rect));

  const ms = (list, key) => list.map((t) => round(t[key]));
  out.push({
    width,
    height,
    inputJpegMb: round(input.length / 1024 ** 2, 2),
    maskPngKb: round(mask.png.length / 1024),
    paintedShare: round(mask.paintedShare, 3),
    crop: { rect: plan.rect, ratio: plan.ratio, size: plan.size, pngKb: round(check.crop.length / 1024) },
    resultPngKb: round(result.length / 1024),
    outputPngMb: round(check.png.length / 1024 ** 2, 2),
    baselinePngMb: round(baselinePng.length / 1024 ** 2, 2),
    changeFraction: round(check.change.fraction, 4),
    wallRatio: round(median(pairs.map((p) => p.ours.wallMs / p.base.wallMs)), 3),
    cpuRatio: round(median(pairs.map((p) => p.ours.cpuMs / p.base.cpuMs)), 3),
    oursWallMs: ms(pairs.map((p) => p.ours), "wallMs"),
    baseWallMs: ms(pairs.map((p) => p.base), "wallMs"),
    oursCpuMs: ms(pairs.map((p) => p.ours), "cpuMs"),
    baseCpuMs: ms(pairs.map((p) => p.base), "cpuMs"),
    phasesOnce: {
      readMaskCpuMs: round(read.cpuMs),
      cropCpuMs: round(crop.cpuMs),
      compositeCpuMs: round(comp.cpuMs),
      readMaskWallMs: round(read.wallMs),
      cropWallMs: round(crop.wallMs),
      compositeWallMs: round(comp.wallMs),
    },
  });
}
console.log(JSON.stringify({ sizes: out }));
