/**
 * "Download all (zip)" of a batch (issue 12), through the production server: every finished
 * output at full resolution, byte for byte what /api/images/<id> serves, named in the
 * batch's order; what did not finish is left out; an unknown batch is a 404.
 */
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradientPng } from "../support/fixtures";
import { apiError, download, getJson, type Json, postJson, startServer, type TestServer, uploadOk, waitForJob } from "../support/server";

let server: TestServer;
let images: string[];

beforeAll(async () => {
  server = await startServer();
  images = [
    await uploadOk(server.url, await gradientPng(320, 240, 41)),
    await uploadOk(server.url, await gradientPng(240, 320, 42)),
    await uploadOk(server.url, await gradientPng(300, 300, 43)),
  ];
});
afterAll(async () => {
  await server?.stop();
});

async function createBatch(body: unknown): Promise<{ batchId: string; jobs: Json[] }> {
  const r = await postJson(`${server.url}/api/jobs/batch`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function fetchZip(batchId: string): Promise<{ res: Response; files: Record<string, Uint8Array> }> {
  const { res, bytes } = await download(server.url, `/api/batches/${batchId}/zip`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/zip");
  expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.zip"$/);
  return { res, files: unzipSync(new Uint8Array(bytes)) };
}

const EXT: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

/** What GET /api/images/<id> serves, and the file extension its type calls for. */
async function image(imageId: string): Promise<{ bytes: Buffer; ext: string }> {
  const { res, bytes } = await download(server.url, `/api/images/${imageId}`);
  expect(res.status).toBe(200);
  return { bytes, ext: EXT[res.headers.get("content-type")!]! };
}

describe("GET /api/batches/:id/zip", () => {
  it("holds each image's edit at full resolution, byte for byte, in the batch's order", async () => {
    const { batchId, jobs } = await createBatch({ recipe: { provider: "demo", prompt: "Warm tone", seed: 77 }, inputImageIds: images });
    const done = await Promise.all(jobs.map((job) => waitForJob(server.url, job.id)));
    expect(done.map((job) => job.status)).toEqual(["succeeded", "succeeded", "succeeded"]);

    const { files } = await fetchZip(batchId);
    const outputs = await Promise.all(done.map((job) => image(job.outputs[0].imageId)));
    const expected = done.map((job, i) => `0${i + 1}-${job.id}.${outputs[i]!.ext}`);
    expect(Object.keys(files).sort()).toEqual(expected);
    for (const [i, name] of expected.entries()) expect(Buffer.from(files[name]!).equals(outputs[i]!.bytes)).toBe(true);
  }, 60_000);

  it("numbers every image of a job that made several", async () => {
    const { batchId, jobs } = await createBatch({ recipe: { provider: "demo", prompt: "Two pebbles", aspectRatio: "1:1", n: 2 }, variations: 2 });
    const done = await Promise.all(jobs.map((job) => waitForJob(server.url, job.id)));
    const { files } = await fetchZip(batchId);
    const outputs = await Promise.all(done.flatMap((job) => [0, 1].map((k) => image(job.outputs[k].imageId))));
    const expected = done.flatMap((job, i) => [0, 1].map((k) => `0${i + 1}-${job.id}-${k + 1}.${outputs[i * 2 + k]!.ext}`));
    expect(Object.keys(files).sort()).toEqual(expected);
    for (const [i, name] of expected.entries()) expect(Buffer.from(files[name]!).equals(outputs[i]!.bytes)).toBe(true);
  }, 60_000);

  it("leaves out a job that did not finish, and keeps the others' places", async () => {
    const { batchId, jobs } = await createBatch({ recipe: { provider: "demo", prompt: "Cool tone" }, inputImageIds: images.slice(0, 2) });
    const cancel = await postJson(`${server.url}/api/jobs/${jobs[0].id}/cancel`, {});
    expect(cancel.status).toBe(200);
    const done = await Promise.all(jobs.map((job) => waitForJob(server.url, job.id)));
    expect(done.map((job) => job.status)).toEqual(["canceled", "succeeded"]);

    const { files } = await fetchZip(batchId);
    expect(Object.keys(files)).toEqual([`02-${jobs[1].id}.${(await image(done[1].outputs[0].imageId)).ext}`]);
  }, 60_000);

  it("answers 404 while nothing in the batch has an image", async () => {
    const { batchId, jobs } = await createBatch({ recipe: { provider: "demo", prompt: "Sepia" }, inputImageIds: [images[2]] });
    await postJson(`${server.url}/api/jobs/${jobs[0].id}/cancel`, {});
    expect((await waitForJob(server.url, jobs[0].id)).status).toBe("canceled");
    expect(apiError(await getJson(`${server.url}/api/batches/${batchId}/zip`))).toEqual({ status: 404, code: "not_found", message: true });
  });

  it("answers 404 for an unknown or malformed batch id", async () => {
    for (const id of ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope"]) {
      expect(apiError(await getJson(`${server.url}/api/batches/${id}/zip`))).toEqual({ status: 404, code: "not_found", message: true });
    }
  });
});
