/** Cancelling jobs, then listing them: keyset pagination, search and filters. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiError, createJob, getJson, type Json, jobProblems, postJson, startServer, type TestServer, waitForJob } from "../support/server";

const DELAY_MS = 1500;
let server: TestServer;
/** Every job this file created, in creation order. */
const created: Json[] = [];

beforeAll(async () => {
  server = await startServer({ env: { DEMO_DELAY_MS: String(DELAY_MS) } });
});
afterAll(async () => {
  await server?.stop();
});

async function make(prompt: string, extra: Record<string, unknown> = {}) {
  const job = await createJob(server.url, { prompt, aspectRatio: "1:1", ...extra });
  created.push(job);
  return job;
}

const cancel = (id: string) => postJson(`${server.url}/api/jobs/${id}/cancel`, {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function list(params: Record<string, string | number>) {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return getJson(`${server.url}/api/jobs?${qs}`);
}

/** Follows nextCursor to the end; checks page sizes on the way. */
async function walk(params: Record<string, string | number>, limit: number): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const { status, body } = await list({ ...params, limit, ...(cursor ? { cursor } : {}) });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["items", "nextCursor"]);
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    cursor = body.nextCursor;
    if (cursor === null) return items;
    expect(typeof cursor).toBe("string");
    expect(body.items).toHaveLength(limit); // only the last page may be short
  }
  throw new Error("pagination did not end");
}

describe("POST /api/jobs/:id/cancel", () => {
  it("cancels a job that has not finished, and it stays canceled", async () => {
    const job = await make("cancel me quickly");
    const r = await cancel(job.id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(jobProblems(r.body)).toEqual([]);
    expect(r.body.id).toBe(job.id);
    expect(r.body.status).toBe("canceled");

    await sleep(DELAY_MS + 700);
    const after = (await getJson(`${server.url}/api/jobs/${job.id}`)).body;
    expect(after.status).toBe("canceled");
    expect(after.outputs).toEqual([]);
  });

  it("cancels a running job, and the worker does not finish it afterwards", async () => {
    const job = await make("cancel me while running");
    await waitForJob(server.url, job.id, ["running"], 10_000);
    const r = await cancel(job.id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe("canceled");

    await sleep(DELAY_MS + 700);
    const after = (await getJson(`${server.url}/api/jobs/${job.id}`)).body;
    expect(after.status).toBe("canceled");
    expect(after.outputs).toEqual([]);
  });

  it("answers 409 already_finished for a succeeded job, which stays succeeded", async () => {
    const job = await make("let me finish");
    const done = await waitForJob(server.url, job.id);
    expect(done.status).toBe("succeeded");
    const r = await cancel(job.id);
    expect(apiError(r)).toEqual({ status: 409, code: "already_finished", message: true });
    expect((await getJson(`${server.url}/api/jobs/${job.id}`)).body.status).toBe("succeeded");
  });

  it("answers 404 not_found for an unknown job", async () => {
    const r = await cancel("01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(apiError(r)).toEqual({ status: 404, code: "not_found", message: true });
  });
});

describe("GET /api/jobs", () => {
  const prompts = ["A red FOX in the snow", "a fox cub, sleeping", "Blue whale at night", "100% cotton shirt", "snake_case street sign"];

  it("lists every job newest first, with no duplicate or gap across pages of 2", async () => {
    for (const p of prompts) await make(p);
    for (const job of created) await waitForJob(server.url, job.id, ["succeeded", "failed", "canceled"], 30_000);

    const items = await walk({}, 2);
    const ids = items.map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(created.map((j) => j.id).reverse());
    for (const item of items) expect(jobProblems(item)).toEqual([]);
    for (let i = 1; i < items.length; i++) {
      expect(Date.parse(items[i - 1].createdAt)).toBeGreaterThanOrEqual(Date.parse(items[i].createdAt));
    }

    // Other page sizes walk the same list.
    expect((await walk({}, 3)).map((j) => j.id)).toEqual(ids);
    expect((await walk({}, 100)).map((j) => j.id)).toEqual(ids);
  }, 60_000);

  it("returns the newest first without parameters", async () => {
    const { status, body } = await getJson(`${server.url}/api/jobs`);
    expect(status).toBe(200);
    expect(body.items[0].id).toBe(created.at(-1).id);
    expect(body.items).toHaveLength(created.length);
    expect(body.nextCursor).toBeNull();
  });

  it("searches prompts with q, case-insensitively", async () => {
    const fox = (await walk({ q: "fOx" }, 1)).map((j) => j.prompt);
    expect(fox).toEqual(["a fox cub, sleeping", "A red FOX in the snow"]);
    expect((await walk({ q: "WHALE" }, 10)).map((j) => j.prompt)).toEqual(["Blue whale at night"]);
    expect(await walk({ q: "no such prompt anywhere" }, 10)).toEqual([]);
  });

  it("treats LIKE wildcards in q as plain characters", async () => {
    expect((await walk({ q: "%" }, 10)).map((j) => j.prompt)).toEqual(["100% cotton shirt"]);
    expect((await walk({ q: "_" }, 10)).map((j) => j.prompt)).toEqual(["snake_case street sign"]);
  });

  it("filters by status and provider", async () => {
    const byStatus = async (status: string) => (await walk({ status }, 2)).map((j) => j.id);
    const expectIds = (status: string) => created.filter((j) => finalStatus.get(j.id) === status).map((j) => j.id).reverse();
    const finalStatus = new Map<string, string>();
    for (const j of created) finalStatus.set(j.id, (await getJson(`${server.url}/api/jobs/${j.id}`)).body.status);

    expect(await byStatus("canceled")).toEqual(expectIds("canceled"));
    expect(await byStatus("canceled")).toHaveLength(2);
    expect(await byStatus("succeeded")).toEqual(expectIds("succeeded"));
    expect(await byStatus("succeeded")).toHaveLength(created.length - 2);
    expect(await byStatus("queued")).toEqual([]);
    expect(await byStatus("running")).toEqual([]);

    expect((await walk({ provider: "demo" }, 4)).map((j) => j.id)).toEqual(created.map((j) => j.id).reverse());
    expect((await walk({ q: "fox", status: "succeeded", provider: "demo" }, 1)).map((j) => j.prompt)).toEqual([
      "a fox cub, sleeping",
      "A red FOX in the snow",
    ]);
    expect(await walk({ q: "cancel me", status: "succeeded" }, 5)).toEqual([]);
  });

  it.each([
    ["limit=0", { limit: 0 }],
    ["limit=abc", { limit: "abc" }],
    ["limit=1000", { limit: 1000 }],
    ["limit=1.5", { limit: 1.5 }],
    ["status=bogus", { status: "bogus" }],
    ["provider=nope", { provider: "nope" }],
    ["a malformed cursor", { cursor: "not-a-cursor" }],
  ])("refuses %s with 400 invalid_request", async (_label, params) => {
    const r = await list(params);
    expect(apiError(r)).toEqual({ status: 400, code: "invalid_request", message: true });
  });
});
