/**
 * Region edits at full resolution (issue 12) through the JSON API of the production server:
 * the mask refused before anything is created, the demo engine end to end (unpainted pixels
 * kept byte for byte), the crop each provider protocol receives, and one recipe applied to
 * several images.
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AspectRatio, ASPECT_RATIOS } from "../../lib/catalog";
import { kontextSize } from "../../lib/sizes";
import { gradientPng } from "../support/fixtures";
import type { QuickRouterFake, TheRouterFake, ModelverseFake } from "../support/provider-fakes";
import { type Fleet, startFleet } from "../support/provider-fleet";
import { apiError, createJob, download, getJson, type Json, postJson, startServer, type TestServer, uploadOk, waitForJob } from "../support/server";
import { storedCounts } from "../support/stored";

const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const TABLES = ["Image", "Job", "JobInput", "JobOutput"] as const;
const KEYS = { therouter: "tr-key-region", quickrouter: "qr-key-region", dmxapi: "dmx-key-region", modelverse: "mv-key-region" };
// The painted box of every mask here, on a 400 × 300 input.
const BOX = { x: 150, y: 100, width: 80, height: 60 };

let fleet: Fleet;
let tr: TheRouterFake;
let qr: QuickRouterFake;
let mv: ModelverseFake;
let server: TestServer;
let input: string;
let inputBytes: Buffer;
let mask: string;

/** Black (keep) with the box white (change), greyscale without alpha, as a painting tool might upload it. */
async function maskPng(width: number, height: number, box: typeof BOX | null): Promise<Buffer> {
  const data = Buffer.alloc(width * height);
  if (box) for (let y = box.y; y < box.y + box.height; y++) data.fill(255, y * width + box.x, y * width + box.x + box.width);
  return sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

const snapshot = () => storedCounts(server, TABLES);

/** Sends a request that must be refused, and checks nothing was created by it. */
async function refused(url: string, body: unknown, status: number, code: string): Promise<void> {
  const before = await snapshot();
  const r = await postJson(`${server.url}${url}`, body);
  expect(apiError(r)).toEqual({ status, code, message: true });
  expect(await snapshot(), "stored image files and database rows").toEqual(before);
}

const decode = (bytes: Buffer) => sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
const dataUriBytes = (uri: string) => Buffer.from(uri.replace(/^data:[^;,]+;base64,/, ""), "base64");

beforeAll(async () => {
  const started = await startFleet({
    therouter: { key: KEYS.therouter, pollsUntilDone: 1 },
    quickrouter: { key: KEYS.quickrouter, pollsUntilDone: 1 },
    dmxapi: { key: KEYS.dmxapi },
    modelverse: { key: KEYS.modelverse },
  });
  fleet = started;
  ({ therouter: tr, quickrouter: qr, modelverse: mv } = started.fakes);
  server = await startServer({ env: { ...fleet.env, DEMO_DELAY_MS: "100" } });
  inputBytes = await gradientPng(400, 300, 21);
  input = await uploadOk(server.url, inputBytes);
  mask = await uploadOk(server.url, await maskPng(400, 300, BOX), "mask.png");
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await fleet?.close();
});

describe("POST /api/jobs with a mask: refusals, nothing created", () => {
  it("refuses a mask of another size with 400 mask_mismatch", async () => {
    const small = await uploadOk(server.url, await maskPng(200, 150, { x: 10, y: 10, width: 20, height: 20 }), "small.png");
    await refused("/api/jobs", { provider: "demo", prompt: "Invert the box", inputImageIds: [input], maskImageId: small }, 400, "mask_mismatch");
  });

  it("refuses an all-black mask: the painted region is empty", async () => {
    const empty = await uploadOk(server.url, await maskPng(400, 300, null), "empty.png");
    const before = await snapshot();
    const r = await postJson(`${server.url}/api/jobs`, { provider: "demo", prompt: "Invert the box", inputImageIds: [input], maskImageId: empty });
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_request", message: true });
    expect(r.body.error.message).toContain("The painted region is empty");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a mask without an input image", async () => {
    await refused("/api/jobs", { provider: "demo", prompt: "Invert the box", maskImageId: mask }, 400, "invalid_request");
  });

  it("refuses a mask for a model that cannot edit", async () => {
    await refused("/api/jobs", { provider: "dmxapi", prompt: "Invert the box", inputImageIds: [input], maskImageId: mask }, 400, "unsupported");
  });

  it("answers 404 image_not_found for an unknown mask", async () => {
    await refused("/api/jobs", { provider: "demo", prompt: "Invert the box", inputImageIds: [input], maskImageId: UNKNOWN_ID }, 404, "image_not_found");
  });
});

describe("a region edit with the demo engine", () => {
  it("returns the input's size, with every unpainted pixel the input's", async () => {
    const job = await createJob(server.url, { prompt: "Invert the colours in the box", inputImageIds: [input], maskImageId: mask });
    expect(job.mask).toMatchObject({ imageId: mask, width: 400, height: 300 });
    const done = await waitForJob(server.url, job.id);
    expect(done.status).toBe("succeeded");
    expect(done.region).toEqual({ x: expect.any(Number), y: expect.any(Number), width: expect.any(Number), height: expect.any(Number) });
    const { region } = done;
    // The crop holds the painted box.
    expect(region.x).toBeLessThanOrEqual(BOX.x);
    expect(region.y).toBeLessThanOrEqual(BOX.y);
    expect(region.x + region.width).toBeGreaterThanOrEqual(BOX.x + BOX.width);
    expect(region.y + region.height).toBeGreaterThanOrEqual(BOX.y + BOX.height);

    const [output] = done.outputs;
    expect([output.width, output.height]).toEqual([400, 300]);
    expect(output.change.outsideMask).toBe(0);
    expect(output.change.fraction).toBeGreaterThan(0);

    const stored = await download(server.url, `/api/images/${output.imageId}`);
    const out = await decode(Buffer.from(stored.bytes));
    const inp = await decode(inputBytes);
    expect([out.info.width, out.info.height]).toEqual([400, 300]);
    let differentOutside = 0;
    let differentInside = 0;
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 400; x++) {
        const i = (y * 400 + x) * 4;
        const same = out.data.readUInt32BE(i) === inp.data.readUInt32BE(i);
        const inside = x >= BOX.x && x < BOX.x + BOX.width && y >= BOX.y && y < BOX.y + BOX.height;
        if (!same && !inside) differentOutside++;
        if (!same && inside) differentInside++;
      }
    }
    expect(differentOutside).toBe(0);
    expect(differentInside).toBeGreaterThan(0);

    // The recipe carries the mask, so a re-run edits the same region.
    const recipe = await getJson(`${server.url}/api/images/${output.imageId}/recipe`);
    expect(recipe.status).toBe(200);
    expect(recipe.body.maskImageId).toBe(mask);
    const rerun = await postJson(`${server.url}/api/jobs/${done.id}/rerun`, {});
    expect(rerun.status).toBe(201);
    expect(rerun.body.mask?.imageId).toBe(mask);
    const again = await waitForJob(server.url, rerun.body.id);
    expect(again.region).toEqual(region);
    expect(again.outputs[0].imageId).toBe(output.imageId);
  }, 30_000);

  it("measures the change of a plain edit, with no mask share", async () => {
    const job = await createJob(server.url, { prompt: "Invert everything", inputImageIds: [input] });
    const done = await waitForJob(server.url, job.id);
    expect(done.mask).toBeNull();
    expect(done.region).toBeNull();
    expect(done.outputs[0].change).toEqual({ fraction: expect.any(Number), outsideMask: null });
    const generated = await waitForJob(server.url, (await createJob(server.url, { prompt: "A lantern" })).id);
    expect(generated.outputs[0].change).toBeNull();
  }, 30_000);
});

describe("deleting region edits", () => {
  it("keeps a mask while another job uses it, and removes it with the last one", async () => {
    const own = await uploadOk(server.url, await maskPng(400, 300, { x: 20, y: 30, width: 50, height: 40 }), "own-mask.png");
    const jobs = [];
    for (const prompt of ["Invert the corner", "Make the corner a negative"]) {
      const job = await createJob(server.url, { prompt, inputImageIds: [input], maskImageId: own });
      jobs.push(await waitForJob(server.url, job.id));
    }
    const status = async (id: string) => (await download(server.url, `/api/images/${id}`)).res.status;
    expect((await postJson(`${server.url}/api/jobs/delete`, { ids: [jobs[0].id] })).status).toBe(200);
    expect(await status(own)).toBe(200);
    expect((await postJson(`${server.url}/api/jobs/delete`, { ids: [jobs[1].id] })).status).toBe(200);
    expect(await status(own)).toBe(404);
    expect(await status(input)).toBe(200);
  }, 30_000);
});

describe("the crop each provider receives", () => {
  /** The crop's ratio is the plan's; its size is that ratio's working size. */
  function expectCrop(size: { width: number; height: number }, ratio: string, region: Json): void {
    expect(size).toEqual(kontextSize(ratio as AspectRatio));
    const [w, h] = ratio.split(":").map(Number) as [number, number];
    // The crop of the input is cut in that ratio (where the image allows; this box leaves room).
    expect(Math.abs(region.width / region.height - w / h)).toBeLessThan(0.02);
  }

  it("sends TheRouter, QuickRouter and Modelverse the crop at the working size, and composites each result back", async () => {
    const prompts = { tr: "Region via TheRouter", qr: "Region via QuickRouter", mv: "Region via Modelverse" };
    const jobs = await Promise.all([
      createJob(server.url, { provider: "therouter", prompt: prompts.tr, inputImageIds: [input], maskImageId: mask }),
      createJob(server.url, { provider: "quickrouter", prompt: prompts.qr, inputImageIds: [input], maskImageId: mask }),
      createJob(server.url, { provider: "modelverse", model: "black-forest-labs/flux-kontext-pro", prompt: prompts.mv, inputImageIds: [input], maskImageId: mask }),
    ]);
    const [trDone, qrDone, mvDone] = await Promise.all(jobs.map((job: Json) => waitForJob(server.url, job.id, ["succeeded", "failed", "canceled"], 25_000)));
    for (const done of [trDone, qrDone, mvDone]) {
      expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
      expect([done.outputs[0].width, done.outputs[0].height]).toEqual([400, 300]);
      expect(done.outputs[0].change.outsideMask).toBe(0);
    }

    const trSent = tr.submissions(prompts.tr);
    expect(trSent).toHaveLength(1);
    expect(trSent[0]!.path).toBe("/v1/images/edits");
    const file = trSent[0]!.form!.get("image") as File;
    const trMeta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    const [sw, sh] = String(trSent[0]!.form!.get("size")).split("x").map(Number);
    expect({ width: trMeta.width, height: trMeta.height }).toEqual({ width: sw, height: sh });
    const trRatio = ASPECT_RATIOS.find((r) => kontextSize(r).width === sw && kontextSize(r).height === sh);
    expect(trRatio, `size ${sw}x${sh} is a working size`).toBeDefined();
    expectCrop({ width: trMeta.width!, height: trMeta.height! }, trRatio!, trDone.region);

    const qrSent = qr.submissions(prompts.qr);
    expect(qrSent).toHaveLength(1);
    const qrInput = qrSent[0]!.json.input;
    expect(qrInput.aspect_ratio).not.toBe("match_input_image");
    const qrMeta = await sharp(dataUriBytes(qrInput.input_image)).metadata();
    expectCrop({ width: qrMeta.width!, height: qrMeta.height! }, qrInput.aspect_ratio, qrDone.region);

    const mvSent = mv.submissions(prompts.mv);
    expect(mvSent).toHaveLength(1);
    const mvMeta = await sharp(dataUriBytes(mvSent[0]!.json.image)).metadata();
    expectCrop({ width: mvMeta.width!, height: mvMeta.height! }, mvSent[0]!.json.aspect_ratio, mvDone.region);
  }, 40_000);
});

describe("POST /api/jobs/batch with inputImageIds", () => {
  it("refuses an unknown image with 404 and creates nothing", async () => {
    await refused("/api/jobs/batch", { recipe: { provider: "demo", prompt: "Warm tone" }, inputImageIds: [input, UNKNOWN_ID] }, 404, "image_not_found");
  });

  it("refuses a mask: it fits one image's size", async () => {
    await refused("/api/jobs/batch", { recipe: { provider: "demo", prompt: "Warm tone", maskImageId: mask }, inputImageIds: [input] }, 400, "invalid_request");
  });

  it("makes one job per image with the same recipe and seed", async () => {
    const others = [await uploadOk(server.url, await gradientPng(320, 240, 31)), await uploadOk(server.url, await gradientPng(240, 320, 32))];
    const ids = [input, ...others];
    const r = await postJson(`${server.url}/api/jobs/batch`, { recipe: { provider: "demo", prompt: "Warm tone", seed: 4242 }, inputImageIds: ids });
    expect(r.status).toBe(201);
    expect(r.body.batchId).toEqual(expect.any(String));
    expect(r.body.jobs).toHaveLength(3);
    expect(r.body.jobs.map((job: Json) => job.inputs.map((i: Json) => i.imageId))).toEqual(ids.map((id) => [id]));
    expect(new Set(r.body.jobs.map((job: Json) => job.seed))).toEqual(new Set([4242]));
    expect(new Set(r.body.jobs.map((job: Json) => job.batchId))).toEqual(new Set([r.body.batchId]));
    expect(new Set(r.body.jobs.map((job: Json) => job.prompt))).toEqual(new Set(["Warm tone"]));
    for (const job of r.body.jobs) expect((await waitForJob(server.url, job.id)).status).toBe("succeeded");
  }, 30_000);

  it("refuses more than 50 images", async () => {
    await refused("/api/jobs/batch", { recipe: { provider: "demo", prompt: "Warm tone" }, inputImageIds: Array(51).fill(input) }, 400, "invalid_request");
  });
});
