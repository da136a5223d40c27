// Fast history seeding straight into SQLite (better-sqlite3, one transaction per call):
// realistic jobs across providers, models, modes and statuses over the past year, with
// inputs and outputs pointing at a few real stored images (uploaded through the API first,
// so their files and thumbnails exist). Ids are ULIDs of the row's createdAt, as in lib/ids.ts.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { rng } from "./images.mjs";
import { ROOT } from "./util.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const Database = require("better-sqlite3");

/**
 * The search probes: a rare word (about 1 prompt in 200), a common one (about 1 in 10), a word in
 * no prompt, and two characters in none (too short for a trigram index: a scan).
 */
export const RARE_WORD = "lighthouse";
export const COMMON_WORD = "watercolor";
export const ABSENT_WORD = "qzxjvw";
export const SHORT_WORD = "qz";
const RARE_RATE = 1 / 200;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export function ulid(ms) {
  let time = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = Array.from(randomBytes(16), (b) => ALPHABET[b & 31]).join("");
  return time + random;
}

/** lib/search-text.ts's fold, which the studio writes into promptSearch with every job. */
export const searchText = (text) => Array.from(text, (char) => char.toUpperCase().toLowerCase()).join("");

const iso = (ms) => new Date(ms).toISOString().replace("Z", "+00:00");

// What lib/catalog.ts offers, as far as the rows need it.
const RATIOS = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16"];
const PROVIDERS = [
  { id: "demo", weight: 0.15, models: [{ id: "demo", edit: true, generate: true, maxN: 4, price: 0 }] },
  { id: "therouter", weight: 0.3, models: [{ id: "black-forest-labs/flux-kontext-dev", edit: true, generate: true, maxN: 1, price: 0.018 }] },
  {
    id: "dmxapi",
    weight: 0.2,
    models: ["flux-kontext-pro", "flux-kontext-max", "flux-kontext-dev"].map((id) => ({ id, edit: false, generate: true, maxN: 4, price: null })),
  },
  {
    id: "modelverse",
    weight: 0.15,
    models: [
      { id: "black-forest-labs/flux-kontext-max/text-to-image", edit: false, generate: true, maxN: 4, price: null },
      { id: "black-forest-labs/flux-kontext-pro", edit: true, generate: false, maxN: 1, price: null },
    ],
  },
  { id: "quickrouter", weight: 0.2, models: [{ id: "black-forest-labs/flux-kontext-pro", edit: true, generate: true, maxN: 1, price: null }] },
];

const SUBJECTS = ["a red fox", "an old fishing boat", "a glass teapot", "a city street at night", "a mountain cabin", "a bowl of ramen", "a vintage bicycle", "a portrait of a woman", "a sleeping cat", "a desert highway", "a greenhouse", "a jazz trio", "a paper crane", "a snowy forest", "a neon diner", "a sailboat", "a library reading room", "a market stall", "a koi pond", "an astronaut"];
const EDITS = ["make it", "turn the sky", "change the background to", "replace the jacket with", "add", "remove the people and make it", "relight it as", "restyle it as"];
const STYLES = ["watercolor", "golden hour", "cinematic, anamorphic", "isometric 3d render", "film grain, 35mm", "pastel tones", "ukiyo-e woodblock print", "studio lighting", "foggy morning", "low-poly", "charcoal sketch", "oil painting with thick impasto", "sunset over the sea", "blue hour", "minimalist poster", "high contrast black and white"];
const DETAILS = ["soft shadows", "shallow depth of field", "rain on the window", "warm light", "wide angle", "reflections in puddles", "fine detail", "muted colors", "dramatic clouds", "backlit", "symmetrical composition", "bokeh", "keep the face unchanged", "keep the text legible", "no watermark"];
const FAILURES = [
  ["provider_error", "DMXAPI had an internal error. Provider said: HTTP 502: upstream error: bad gateway"],
  ["moderated", "TheRouter's content filter blocked this request. Rephrase the instruction or use another image."],
  ["timeout", "The provider did not finish this job in time, so Atelier gave up on it."],
  ["rate_limited", "QuickRouter is throttling requests right now. Try again in a minute."],
  ["interrupted", "The server restarted while the provider was working on this job, so its result was lost. Nothing was re-sent; run it again."],
];

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

function prompt(rand, edit) {
  const words = [];
  words.push(edit ? `${pick(rand, EDITS)} ${pick(rand, STYLES)}` : pick(rand, SUBJECTS));
  const extra = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < extra; i++) words.push(pick(rand, rand() < 0.5 ? STYLES : DETAILS));
  if (rand() < RARE_RATE) words.splice(1, 0, `near a ${RARE_WORD}`);
  return words.join(", ");
}

export function openDb(dataDir) {
  const db = new Database(path.join(dataDir, "atelier.db"));
  db.pragma("busy_timeout = 10000");
  return db;
}

/**
 * The seeded history, one job at a time: { job (a Job row), input (an image id or null),
 * outputs ([imageId, seed] per output) }. `images` are Image rows ({id, width, height}).
 * Statuses are terminal only, so a running worker has nothing to pick up.
 */
export function* generateJobs({ count, images, seed = 1, nowMs = Date.now() }) {
  if (!images.length) throw new Error("seeding needs at least one stored image");
  const rand = rng(seed);
  const YEAR = 365 * 24 * 3600_000;
  const times = Array.from({ length: count }, () => Math.floor(nowMs - 3600_000 - rand() * YEAR)).sort((a, b) => a - b);
  for (const created of times) {
    let r = rand();
    let provider = PROVIDERS[0];
    for (const p of PROVIDERS) {
      if (r < p.weight) {
        provider = p;
        break;
      }
      r -= p.weight;
    }
    const model = pick(rand, provider.models);
    const edit = model.edit && (!model.generate || rand() < 0.4);
    const n = model.maxN > 1 && rand() < 0.2 ? 2 + Math.floor(rand() * (model.maxN - 1)) : 1;
    const s = rand();
    const status = s < 0.86 ? "succeeded" : s < 0.94 ? "failed" : "canceled";
    const jobSeed = Math.floor(rand() * 2147483647);
    const input = edit ? pick(rand, images) : null;
    const started = created + 50 + Math.floor(rand() * 2000);
    const finished = started + (status === "canceled" ? 2000 : 30_000 + Math.floor(rand() * 150_000));
    const failure = status === "failed" ? pick(rand, FAILURES) : null;
    const id = ulid(created);
    const text = prompt(rand, edit);
    const job = {
      id,
      provider: provider.id,
      model: model.id,
      mode: edit ? "edit" : "generate",
      prompt: text,
      promptSearch: searchText(text),
      aspectRatio: edit && rand() < 0.5 ? "match_input" : pick(rand, RATIOS),
      seed: jobSeed,
      n,
      status,
      providerJobId: provider.id === "therouter" ? `img_${id.slice(-12).toLowerCase()}` : provider.id === "quickrouter" ? id.slice(-20).toLowerCase() : null,
      attempts: 1,
      claimedBy: "w_seed",
      errorCode: failure?.[0] ?? null,
      errorMessage: failure?.[1] ?? null,
      costUsd: status === "succeeded" && model.price != null ? Math.round(model.price * n * 10_000) / 10_000 : null,
      parentImageId: input?.id ?? null,
      createdAt: iso(created),
      startedAt: iso(started),
      finishedAt: iso(finished),
    };
    const outputs = status === "succeeded" ? Array.from({ length: n }, (_, i) => [pick(rand, images).id, (jobSeed + i) % 2147483648]) : [];
    yield { job, input: input?.id ?? null, outputs };
  }
}

/** Inserts `count` jobs of generateJobs (with their inputs and outputs) into SQLite in one transaction. */
export function seedJobs(db, options) {
  const insertJob = db.prepare(`INSERT INTO "Job" (id, provider, model, mode, prompt, promptSearch, aspectRatio, seed, n, status, providerJobId, attempts, claimedBy, errorCode, errorMessage, costUsd, parentImageId, createdAt, startedAt, finishedAt)
    VALUES (@id, @provider, @model, @mode, @prompt, @promptSearch, @aspectRatio, @seed, @n, @status, @providerJobId, @attempts, @claimedBy, @errorCode, @errorMessage, @costUsd, @parentImageId, @createdAt, @startedAt, @finishedAt)`);
  const insertInput = db.prepare(`INSERT INTO "JobInput" (jobId, position, imageId) VALUES (?, 0, ?)`);
  const insertOutput = db.prepare(`INSERT INTO "JobOutput" (jobId, position, imageId, seed) VALUES (?, ?, ?, ?)`);
  let outputs = 0;
  const run = db.transaction(() => {
    for (const { job, input, outputs: o } of generateJobs(options)) {
      insertJob.run(job);
      if (input) insertInput.run(job.id, input);
      for (const [i, [imageId, seed]] of o.entries()) insertOutput.run(job.id, i, imageId, seed);
      outputs += o.length;
    }
  });
  const started = performance.now();
  run();
  return { jobs: options.count, outputs, ms: performance.now() - started };
}

export function jobCount(db) {
  return db.prepare(`SELECT count(*) AS n FROM "Job"`).get().n;
}

/** The id at `offset` in the gallery's order (newest first): a cursor that deep in the list. */
export function cursorAt(db, offset) {
  return db.prepare(`SELECT id FROM "Job" ORDER BY id DESC LIMIT 1 OFFSET ?`).get(offset)?.id;
}

export function storedImages(db) {
  return db.prepare(`SELECT id, width, height, thumbBytes FROM "Image"`).all();
}

export function countMatches(db, word) {
  return db.prepare(`SELECT count(*) AS n FROM "Job" WHERE instr(promptSearch, ?) > 0`).get(searchText(word)).n;
}
