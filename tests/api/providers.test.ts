/**
 * The four real providers end to end, against loopback fakes of their documented protocols
 * (tests/support/provider-fakes.ts), through the JSON API of the production server only:
 * exact requests, stored outputs, costs, faults, cancel, and keys that never leak.
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientPng } from "../support/fixtures";
import type { DmxapiFake, ModelverseFake, QuickRouterFake, TheRouterFake } from "../support/provider-fakes";
import { type Fleet, startFleet } from "../support/provider-fleet";
import {
  createJob,
  download,
  getJson,
  type Json,
  jobProblems,
  postJson,
  startServer,
  type TestServer,
  uploadOk,
  waitForJob,
} from "../support/server";
import { sleep, until } from "../support/wait";

const KEYS = {
  therouter: "tr-secret-key",
  quickrouter: "qr-secret-key-7f3a",
  dmxapi: "dmx-secret-key-91c2",
  modelverse: "mv-secret-key-4d8e",
};
const SECRETS = Object.values(KEYS);
const TERMINAL = ["succeeded", "failed", "canceled"];

let tr: TheRouterFake;
let qr: QuickRouterFake;
let dmx: DmxapiFake;
let mv: ModelverseFake;
let fleet: Fleet;
let server: TestServer;
let keyless: TestServer | undefined;

function serverEnv(): Record<string, string> {
  return { ...fleet.env, PROVIDER_REQUEST_TIMEOUT_MS: "1500", PROVIDER_SYNC_TIMEOUT_MS: "1500", DEMO_DELAY_MS: "100" };
}

beforeAll(async () => {
  const started = await startFleet({
    therouter: { key: KEYS.therouter, pollsUntilDone: 1 },
    quickrouter: { key: KEYS.quickrouter, pollsUntilDone: 2 },
    dmxapi: { key: KEYS.dmxapi },
    modelverse: { key: KEYS.modelverse },
  });
  fleet = started;
  ({ therouter: tr, quickrouter: qr, dmxapi: dmx, modelverse: mv } = started.fakes);
  server = await startServer({ env: serverEnv() });
});

afterAll(async () => {
  await keyless?.stop();
  await server?.stop();
  await fleet?.close();
});

const finished = (id: string, timeoutMs = 25_000) => waitForJob(server.url, id, TERMINAL, timeoutMs);

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} contains the key ${secret}`).toBe(false);
}

/** A message a designer can read: words, no stack, no object dumps, no key. */
function expectPlainMessage(message: unknown): void {
  expect(typeof message).toBe("string");
  const text = message as string;
  expect(text.length).toBeGreaterThan(10);
  expect(text).not.toMatch(/\n\s+at |\[object |undefined|ProviderError|ZodError/);
  expectNoSecret(text, "error message");
}

/** Downloads every output and checks the bytes are a real image of the recorded (and expected) size. */
async function expectOutputs(job: Json, size: { width: number; height: number }, count = 1): Promise<void> {
  expect(job.status, JSON.stringify(job)).toBe("succeeded");
  expect(jobProblems(job)).toEqual([]);
  expect(job.error).toBeNull();
  expect(job.outputs).toHaveLength(count);
  for (const output of job.outputs) {
    expect([output.width, output.height]).toEqual([size.width, size.height]);
    const { res, bytes } = await download(server.url, output.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^image\//);
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", output.width, output.height]);
  }
  expectNoSecret(JSON.stringify(job), "job JSON");
}

function bearer(req: { headers: Record<string, unknown> }, key: string): void {
  expect(req.headers.authorization).toBe(`Bearer ${key}`);
}

const dataUriMeta = (uri: string) => sharp(Buffer.from(uri.replace(/^data:[^;,]+;base64,/, ""), "base64")).metadata();

// Parameter names the documents list; anything else sent would be undocumented.
const QUICKROUTER_INPUT = ["prompt", "input_image", "aspect_ratio", "output_format", "safety_tolerance", "prompt_upsampling", "seed"];
const MODELVERSE_BODY = ["model", "prompt", "n", "aspect_ratio", "seed", "steps", "guidance_scale", "negative_prompt", "response_format", "image"];

describe("GET /api/providers with every key set", () => {
  it("lists all five, the four real ones configured, and never shows a key", async () => {
    const res = await fetch(`${server.url}/api/providers`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expectNoSecret(text, "/api/providers");
    const providers: Json[] = JSON.parse(text);
    expect(providers.map((p) => p.id).sort()).toEqual(["demo", "dmxapi", "modelverse", "quickrouter", "therouter"]);
    const byId = Object.fromEntries(providers.map((p) => [p.id, p]));
    for (const [id, envKey] of [
      ["therouter", "THEROUTER_API_KEY"],
      ["quickrouter", "QUICKROUTER_API_KEY"],
      ["dmxapi", "DMXAPI_API_KEY"],
      ["modelverse", "MODELVERSE_API_KEY"],
    ] as const) {
      expect(byId[id], id).toMatchObject({ configured: true, envKey });
    }
    expect(byId.demo).toMatchObject({ configured: true, envKey: null });
    expect(byId.therouter.models[0]).toMatchObject({ id: "black-forest-labs/flux-kontext-dev", priceUsd: 0.018, modes: ["generate", "edit"] });
    expect(byId.dmxapi.models.every((m: Json) => m.modes.join() === "generate")).toBe(true);
    // Each model's usual running time, for "slower than usual": a typical time until there is history.
    for (const p of providers) for (const m of p.models) expect(m.usual, `${p.id} ${m.id}`).toMatchObject({ ms: expect.any(Number), from: "catalog" });
  });
});

describe("text-to-image on every provider", () => {
  it("each job succeeds, stores a real image of the right size, costs the catalog price, and sent the documented request", async () => {
    const prompts = {
      tr: "A lighthouse at dusk, painted in gouache",
      qr: "A red bicycle leaning on a blue wall",
      dmx: "A bowl of ramen, top-down studio shot",
      mv: "An origami crane on a wooden desk",
    };
    tr.plan(prompts.tr, { pollsUntilDone: 2 }); // queued → in_progress → succeeded
    const [trJob, qrJob, dmxJob, mvJob] = await Promise.all([
      createJob(server.url, { provider: "therouter", prompt: prompts.tr, aspectRatio: "16:9" }),
      createJob(server.url, { provider: "quickrouter", prompt: prompts.qr, aspectRatio: "9:16", seed: 424242 }),
      createJob(server.url, { provider: "dmxapi", model: "flux-kontext-max", prompt: prompts.dmx, aspectRatio: "3:2" }),
      createJob(server.url, { provider: "modelverse", prompt: prompts.mv, aspectRatio: "1:1" }),
    ]);
    expect(trJob.status).toBe("queued");
    expect(qrJob.seed).toBe(424242);
    const [trDone, qrDone, dmxDone, mvDone] = await Promise.all([trJob, qrJob, dmxJob, mvJob].map((j) => finished(j.id)));

    // TheRouter: async JSON submission, then GET /v1/jobs/{id} until succeeded; $0.018 per image.
    await expectOutputs(trDone, { width: 1392, height: 752 });
    expect(trDone.costUsd).toBe(0.018);
    const [trSent, ...trMore] = tr.submissions(prompts.tr);
    expect(trMore).toHaveLength(0);
    expect(trSent!.path).toBe("/v1/images/generations");
    expect([...trSent!.query]).toEqual([["async", "true"]]);
    bearer(trSent!, KEYS.therouter);
    expect(trSent!.json).toEqual({ model: "black-forest-labs/flux-kontext-dev", prompt: prompts.tr, size: "1392x752", seed: trDone.seed });
    const trId = tr.jobIdFor(prompts.tr)!;
    expect(trId).toMatch(/^img_/);
    const trPolls = tr.polls(trId);
    expect(trPolls).toHaveLength(2);
    for (const poll of trPolls) bearer(poll, KEYS.therouter);

    // QuickRouter: a Replicate prediction on the model's path; no documented price.
    await expectOutputs(qrDone, { width: 752, height: 1392 });
    expect(qrDone.costUsd).toBeNull();
    const [qrSent, ...qrMore] = qr.submissions(prompts.qr);
    expect(qrMore).toHaveLength(0);
    expect(qrSent!.path).toBe("/replicate/v1/models/black-forest-labs/flux-kontext-pro/predictions");
    bearer(qrSent!, KEYS.quickrouter);
    expect(Object.keys(qrSent!.json)).toEqual(["input"]);
    expect(qrSent!.json.input).toMatchObject({ prompt: prompts.qr, aspect_ratio: "9:16", seed: 424242 });
    expect(qrSent!.json.input).not.toHaveProperty("input_image");
    expect(Object.keys(qrSent!.json.input).filter((k) => !QUICKROUTER_INPUT.includes(k))).toEqual([]);
    expect(qr.polls(qr.predictionIdFor(prompts.qr)).length).toBeGreaterThanOrEqual(2);

    // DMXAPI: one sync call, the ratio spelled with "x", n always 1.
    await expectOutputs(dmxDone, { width: 1248, height: 832 });
    expect(dmxDone.costUsd).toBeNull();
    expect(dmxDone.model).toBe("flux-kontext-max");
    const dmxSent = dmx.submissions(prompts.dmx);
    expect(dmxSent).toHaveLength(1);
    expect(dmxSent[0]!.path).toBe("/v1/images/generations");
    bearer(dmxSent[0]!, KEYS.dmxapi);
    expect(dmxSent[0]!.json).toEqual({ model: "flux-kontext-max", prompt: prompts.dmx, size: "3x2", n: 1, seed: dmxDone.seed });
    expect(dmxDone.outputs[0].seed).toBe(dmxDone.seed);

    // Modelverse: OpenAI-style body with aspect_ratio, b64 answer with a data: prefix.
    await expectOutputs(mvDone, { width: 1024, height: 1024 });
    expect(mvDone.costUsd).toBeNull();
    const mvSent = mv.submissions(prompts.mv);
    expect(mvSent).toHaveLength(1);
    expect(mvSent[0]!.path).toBe("/v1/images/generations");
    bearer(mvSent[0]!, KEYS.modelverse);
    expect(mvSent[0]!.json).toMatchObject({
      model: "black-forest-labs/flux-kontext-max/text-to-image",
      prompt: prompts.mv,
      n: 1,
      aspect_ratio: "1:1",
      seed: mvDone.seed,
      response_format: "b64_json",
    });
    expect(Object.keys(mvSent[0]!.json).filter((k) => !MODELVERSE_BODY.includes(k))).toEqual([]);

    // Explicit seeds in every request: never the documents' -1 (random).
    for (const done of [trDone, qrDone, dmxDone, mvDone]) expect(done.seed).toBeGreaterThanOrEqual(0);
  }, 30_000);
});

describe("editing", () => {
  it("edits where the provider declares it (TheRouter multipart, QuickRouter and Modelverse data URIs), refuses DMXAPI", async () => {
    const inputId = await uploadOk(server.url, await gradientPng(400, 300, 5), "photo.png"); // 4:3
    const prompts = {
      tr: "Make it look like a watercolor painting",
      qr: "Turn the sky purple",
      mv: "Add falling snow",
      dmx: "Make it night time",
    };
    const refused = await postJson(`${server.url}/api/jobs`, { provider: "dmxapi", prompt: prompts.dmx, inputImageIds: [inputId] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("unsupported");
    expectPlainMessage(refused.body.error.message);

    const [trJob, qrJob, mvJob] = await Promise.all([
      createJob(server.url, { provider: "therouter", prompt: prompts.tr, inputImageIds: [inputId] }),
      createJob(server.url, { provider: "quickrouter", prompt: prompts.qr, inputImageIds: [inputId], seed: 77 }),
      createJob(server.url, { provider: "modelverse", model: "black-forest-labs/flux-kontext-pro", prompt: prompts.mv, inputImageIds: [inputId] }),
    ]);
    for (const job of [trJob, qrJob, mvJob]) {
      expect(job.mode).toBe("edit");
      expect(job.aspectRatio).toBe("match_input");
      expect(job.inputs.map((i: Json) => i.imageId)).toEqual([inputId]);
    }
    const [trDone, qrDone, mvDone] = await Promise.all([trJob, qrJob, mvJob].map((j) => finished(j.id)));

    await expectOutputs(trDone, { width: 1184, height: 880 });
    expect(trDone.costUsd).toBe(0.018);
    const trSent = tr.submissions(prompts.tr);
    expect(trSent).toHaveLength(1);
    expect(trSent[0]!.path).toBe("/v1/images/edits");
    expect(trSent[0]!.query.get("async")).toBe("true");
    bearer(trSent[0]!, KEYS.therouter);
    expect(String(trSent[0]!.headers["content-type"])).toContain("multipart/form-data");
    const form = trSent[0]!.form!;
    expect(form.get("model")).toBe("black-forest-labs/flux-kontext-dev");
    expect(form.get("prompt")).toBe(prompts.tr);
    expect(form.get("size")).toBe("1184x880");
    expect(form.get("seed")).toBe(String(trDone.seed));
    const file = form.get("image") as File;
    expect(file).toBeInstanceOf(Blob);
    const fileMeta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    expect([fileMeta.width, fileMeta.height]).toEqual([400, 300]);

    await expectOutputs(qrDone, { width: 1184, height: 880 });
    const qrSent = qr.submissions(prompts.qr);
    expect(qrSent).toHaveLength(1);
    bearer(qrSent[0]!, KEYS.quickrouter);
    const qrInput = qrSent[0]!.json.input;
    expect(qrInput).toMatchObject({ prompt: prompts.qr, aspect_ratio: "match_input_image", seed: 77 });
    expect(qrInput.input_image).toMatch(/^data:image\/(png|jpeg);base64,/);
    const qrMeta = await dataUriMeta(qrInput.input_image);
    expect([qrMeta.width, qrMeta.height]).toEqual([400, 300]);
    expect(qrInput.safety_tolerance ?? 2).toBeLessThanOrEqual(2); // the document's maximum with an input image

    await expectOutputs(mvDone, { width: 1184, height: 880 });
    const mvSent = mv.submissions(prompts.mv);
    expect(mvSent).toHaveLength(1);
    bearer(mvSent[0]!, KEYS.modelverse);
    expect(mvSent[0]!.json).toMatchObject({ model: "black-forest-labs/flux-kontext-pro", prompt: prompts.mv, aspect_ratio: "4:3", seed: mvDone.seed, n: 1 });
    expect(mvSent[0]!.json.image).toMatch(/^data:image\/(png|jpeg);base64,/);
    const mvMeta = await dataUriMeta(mvSent[0]!.json.image);
    expect([mvMeta.width, mvMeta.height]).toEqual([400, 300]);

    expect(dmx.submissions(prompts.dmx)).toHaveLength(0);
  }, 30_000);
});

describe("DMXAPI with n = 2", () => {
  it("makes two calls with seeds s and s+1 and keeps each image's seed", async () => {
    const prompt = "Two variations of a paper lantern";
    const job = await createJob(server.url, { provider: "dmxapi", prompt, aspectRatio: "16:9", n: 2 });
    const done = await finished(job.id);
    await expectOutputs(done, { width: 1392, height: 752 }, 2);
    const s = done.seed;
    const sent = dmx.submissions(prompt);
    expect(sent.map((r) => r.json.seed)).toEqual([s, s + 1]);
    expect(sent.map((r) => r.json.n)).toEqual([1, 1]);
    expect(sent.map((r) => r.json.size)).toEqual(["16x9", "16x9"]);
    expect(done.outputs.map((o: Json) => o.seed)).toEqual([s, s + 1]);
    expect(new Set(done.outputs.map((o: Json) => o.imageId)).size).toBe(2);
    expect(done.costUsd).toBeNull();
  }, 30_000);
});

type FaultCase = {
  label: string;
  provider: "therouter" | "quickrouter" | "dmxapi" | "modelverse";
  prompt: string;
  script: () => void;
  status: "failed" | "succeeded";
  code?: string;
  /** Submissions the provider must have seen for this prompt. */
  submissions: number;
  /** The provider's words the job must keep (in its detail, behind the message). */
  says?: RegExp;
};

describe("provider faults", () => {
  const fakeOf = (p: FaultCase["provider"]) => ({ therouter: tr, quickrouter: qr, dmxapi: dmx, modelverse: mv })[p];
  const cases: FaultCase[] = [
    // Bad key (the fakes echo it back in their error message: it must be scrubbed).
    { label: "TheRouter 401", provider: "therouter", prompt: "fault tr 401", script: () => tr.plan("fault tr 401", { fault: "unauthorized" }), status: "failed", code: "auth_failed", submissions: 1, says: /key/i },
    { label: "QuickRouter 401", provider: "quickrouter", prompt: "fault qr 401", script: () => qr.plan("fault qr 401", { fault: "unauthorized" }), status: "failed", code: "auth_failed", submissions: 1 },
    { label: "DMXAPI 401", provider: "dmxapi", prompt: "fault dmx 401", script: () => dmx.plan("fault dmx 401", { fault: "unauthorized" }), status: "failed", code: "auth_failed", submissions: 1 },
    { label: "Modelverse 401", provider: "modelverse", prompt: "fault mv 401", script: () => mv.plan("fault mv 401", { fault: "unauthorized" }), status: "failed", code: "auth_failed", submissions: 1 },
    // Content filters.
    { label: "TheRouter moderation (400 at submission)", provider: "therouter", prompt: "fault tr moderation", script: () => tr.plan("fault tr moderation", { fault: "moderation" }), status: "failed", code: "moderated", submissions: 1 },
    { label: "QuickRouter moderation (failed prediction)", provider: "quickrouter", prompt: "fault qr moderation", script: () => qr.plan("fault qr moderation", { fault: "moderation", pollsUntilDone: 1 }), status: "failed", code: "moderated", submissions: 1, says: /NSFW/ },
    { label: "DMXAPI moderation", provider: "dmxapi", prompt: "fault dmx moderation", script: () => dmx.plan("fault dmx moderation", { fault: "moderation" }), status: "failed", code: "moderated", submissions: 1 },
    { label: "Modelverse moderation (200 with error)", provider: "modelverse", prompt: "fault mv moderation", script: () => mv.plan("fault mv moderation", { fault: "moderation" }), status: "failed", code: "moderated", submissions: 1 },
    // A 500 on a sync submission is never re-sent: it may already be billed.
    { label: "DMXAPI 500", provider: "dmxapi", prompt: "fault dmx 500", script: () => dmx.plan("fault dmx 500", { fault: "server_error" }), status: "failed", code: "provider_error", submissions: 1, says: /bad gateway/ },
    { label: "Modelverse 500", provider: "modelverse", prompt: "fault mv 500", script: () => mv.plan("fault mv 500", { fault: "server_error" }), status: "failed", code: "provider_error", submissions: 1 },
    // 429 + Retry-After: certainly not taken, so sent again once.
    { label: "DMXAPI 429 then success", provider: "dmxapi", prompt: "fault dmx 429", script: () => dmx.plan("fault dmx 429", { fault: "rate_limited_once", retryAfter: "1" }), status: "succeeded", submissions: 2 },
    { label: "QuickRouter 429 then success", provider: "quickrouter", prompt: "fault qr 429", script: () => qr.plan("fault qr 429", { fault: "rate_limited_once", retryAfter: "1", pollsUntilDone: 1 }), status: "succeeded", submissions: 2 },
    // Not JSON.
    { label: "DMXAPI malformed JSON", provider: "dmxapi", prompt: "fault dmx malformed", script: () => dmx.plan("fault dmx malformed", { fault: "malformed" }), status: "failed", code: "invalid_response", submissions: 1 },
    { label: "TheRouter malformed JSON", provider: "therouter", prompt: "fault tr malformed", script: () => tr.plan("fault tr malformed", { fault: "malformed" }), status: "failed", code: "invalid_response", submissions: 1 },
    // A sync call that never answers ends at PROVIDER_SYNC_TIMEOUT_MS, and is not re-sent.
    { label: "DMXAPI hang", provider: "dmxapi", prompt: "fault dmx hang", script: () => dmx.plan("fault dmx hang", { fault: "hang" }), status: "failed", code: "timeout", submissions: 1 },
    { label: "Modelverse hang", provider: "modelverse", prompt: "fault mv hang", script: () => mv.plan("fault mv hang", { fault: "hang" }), status: "failed", code: "timeout", submissions: 1 },
    // The result URL lapsed before Atelier downloaded it.
    { label: "TheRouter URL expired", provider: "therouter", prompt: "fault tr expired", script: () => tr.plan("fault tr expired", { fault: "expired" }), status: "failed", code: "expired", submissions: 1 },
    { label: "Modelverse URL expired", provider: "modelverse", prompt: "fault mv expired", script: () => mv.plan("fault mv expired", { fault: "expired" }), status: "failed", code: "expired", submissions: 1 },
    // An async job that ends "failed": the provider's own words reach the job.
    { label: "TheRouter failed status", provider: "therouter", prompt: "fault tr failed", script: () => tr.plan("fault tr failed", { fault: "failed", failMessage: "Sampler diverged at step 12" }), status: "failed", code: "provider_error", submissions: 1, says: /Sampler diverged at step 12/ },
    { label: "QuickRouter failed status", provider: "quickrouter", prompt: "fault qr failed", script: () => qr.plan("fault qr failed", { fault: "failed", failMessage: "CUDA out of memory on worker 3", pollsUntilDone: 1 }), status: "failed", code: "provider_error", submissions: 1, says: /CUDA out of memory on worker 3/ },
  ];

  it("each fault ends in the right state and code, with a plain message and no key, never re-sending a paid call", async () => {
    for (const c of cases) c.script();
    const jobs = await Promise.all(cases.map((c) => createJob(server.url, { provider: c.provider, prompt: c.prompt, aspectRatio: "1:1" })));
    const done = await Promise.all(jobs.map((j) => finished(j.id, 28_000)));
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const job = done[i];
      const got = `${job.status}/${job.error?.code ?? "-"}`;
      const want = `${c.status}/${c.code ?? "-"}`;
      if (got !== want) problems.push(`${c.label}: got ${got}, want ${want} (${job.error?.message ?? ""})`);
      const sent = fakeOf(c.provider).submissions(c.prompt).length;
      if (sent !== c.submissions) problems.push(`${c.label}: ${sent} submissions, want ${c.submissions}`);
    });
    expect(problems).toEqual([]);

    cases.forEach((c, i) => {
      const job = done[i];
      expect(jobProblems(job), c.label).toEqual([]);
      expectNoSecret(JSON.stringify(job), `${c.label} job JSON`);
      if (c.status === "failed") {
        expect(job.outputs, c.label).toEqual([]);
        expectPlainMessage(job.error.message);
        if (c.says) expect(job.error.detail, c.label).toMatch(c.says);
        // The message is for the designer: the provider's raw answer stays in the detail, cut short.
        expect(job.error.message, c.label).not.toMatch(/Provider said|HTTP \d{3}|[{}]/);
        if (job.error.detail !== null) expect(job.error.detail.length, c.label).toBeLessThanOrEqual(300);
      } else {
        expect(job.outputs, c.label).toHaveLength(1);
        expect(job.error).toBeNull();
      }
    });
    // After a 429 the same request went again, and only once Retry-After (1 s) had passed.
    for (const [fake, prompt] of [[dmx, "fault dmx 429"], [qr, "fault qr 429"]] as const) {
      const [first, second] = fake.submissions(prompt);
      expect(second!.raw.equals(first!.raw), prompt).toBe(true);
      expect(fake.receivedAt(second!)! - fake.receivedAt(first!)!, prompt).toBeGreaterThanOrEqual(950);
    }
  }, 30_000);
});

describe("cancel", () => {
  it("cancels a running QuickRouter prediction at the provider too", async () => {
    const prompt = "A very slow prediction to cancel";
    qr.plan(prompt, { pollsUntilDone: Number.POSITIVE_INFINITY });
    const job = await createJob(server.url, { provider: "quickrouter", prompt, aspectRatio: "1:1" });
    await waitForJob(server.url, job.id, ["running"], 10_000);
    await until("the prediction to be created", () => qr.predictionIdFor(prompt) !== undefined);
    const id = qr.predictionIdFor(prompt)!;
    // A poll proves the worker holds the prediction id (it saves it before the first poll).
    await until("the first poll", () => qr.polls(id).length >= 1, 10_000);

    const canceled = await postJson(`${server.url}/api/jobs/${job.id}/cancel`, {});
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe("canceled");
    await until("POST …/cancel at QuickRouter", () => qr.cancels(id).length === 1, 10_000);
    const [cancelCall] = qr.cancels(id);
    expect(cancelCall!.path).toBe(`/replicate/v1/predictions/${id}/cancel`);
    bearer(cancelCall!, KEYS.quickrouter);

    const pollsAtCancel = qr.polls(id).length;
    await sleep(2_500); // longer than the poll interval: nothing polls a canceled job any more
    expect(qr.polls(id).length).toBeLessThanOrEqual(pollsAtCancel + 1);
    const after = await getJson(`${server.url}/api/jobs/${job.id}`);
    expect(after.body.status).toBe("canceled");
    expect(after.body.outputs).toEqual([]);
    expect(qr.submissions(prompt)).toHaveLength(1);
  }, 30_000);

  // A submission cut off by the cancel would leave a paid prediction running upstream with no
  // id to cancel it by; the worker lets the submission finish, then cancels it by its id.
  it("cancels at the provider even when the user cancels while the submission is in flight", async () => {
    const prompt = "Cancel me while QuickRouter is still answering the submission";
    qr.plan(prompt, { submitDelayMs: 800, pollsUntilDone: Number.POSITIVE_INFINITY });
    const job = await createJob(server.url, { provider: "quickrouter", prompt, aspectRatio: "1:1" });
    await until("the submission to reach QuickRouter", () => qr.submissions(prompt).length === 1, 10_000);
    const canceled = await postJson(`${server.url}/api/jobs/${job.id}/cancel`, {});
    expect(canceled.body.status).toBe("canceled");
    const id = qr.predictionIdFor(prompt)!; // created upstream, so possibly billed
    await until("POST …/cancel for the prediction created upstream", () => qr.cancels(id).length === 1, 5_000);
  }, 30_000);
});

describe("a provider without a key", () => {
  it("is listed as not configured, and a job for it is refused with 409 naming the env var", async () => {
    // Env is read once per process, so this needs its own server ("" counts as unset).
    keyless = await startServer({ env: { ...serverEnv(), MODELVERSE_API_KEY: "" } });
    const providers = await getJson(`${keyless.url}/api/providers`);
    expect(providers.status).toBe(200);
    const mvInfo = providers.body.find((p: Json) => p.id === "modelverse");
    expect(mvInfo).toMatchObject({ configured: false, envKey: "MODELVERSE_API_KEY" });
    for (const id of ["therouter", "quickrouter", "dmxapi", "demo"]) {
      expect(providers.body.find((p: Json) => p.id === id).configured, id).toBe(true);
    }
    expectNoSecret(JSON.stringify(providers.body), "/api/providers");

    const prompt = "This must never reach Modelverse";
    const refused = await postJson(`${keyless.url}/api/jobs`, { provider: "modelverse", prompt, aspectRatio: "1:1" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("provider_not_configured");
    expect(refused.body.error.message).toContain("MODELVERSE_API_KEY");
    expectPlainMessage(refused.body.error.message);
    const listed = await getJson(`${keyless.url}/api/jobs`);
    expect(listed.body.items).toEqual([]);
    expect(mv.submissions(prompt)).toHaveLength(0);

    await keyless.stop();
    expectNoSecret(keyless.logs(), "keyless server logs");
    keyless = undefined;
  }, 30_000);
});

describe("secrets", () => {
  it("appear in no job, no listing and no server log line", async () => {
    const list = await fetch(`${server.url}/api/jobs?limit=100`);
    const text = await list.text();
    expect(JSON.parse(text).items.length).toBeGreaterThan(20);
    expectNoSecret(text, "/api/jobs");
    expect(JSON.parse(text).items.filter((j: Json) => !TERMINAL.includes(j.status))).toEqual([]);
    expectNoSecret(server.logs(), "server logs");
  });
});
