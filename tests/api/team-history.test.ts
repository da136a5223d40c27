/**
 * Who made what, in team mode: every job, upload and output records its maker; the history
 * filters by person (`by=me`, `by=<account id>`) and each job names who made it; a member
 * deletes and cancels only their own jobs (403 forbidden, nothing deleted, otherwise) while
 * an admin deletes anyone's. Without accounts nothing of this shows: `createdBy` is null.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/passwords";
import { newId } from "@/lib/ids";
import { gradientPng } from "../support/fixtures";
import { insertAccount, madeBy } from "../support/accounts";
import { jobProblems, type Json, startServer, type TestServer } from "../support/server";
import { storedCounts } from "../support/stored";
import { until } from "../support/wait";

const PASSWORD = "a long team passphrase";
type Person = { id: string; email: string; role: "admin" | "member"; cookie: string };

let team: TestServer;
let open: TestServer;
const people: Record<"ann" | "bob" | "boss", Person> = {
  ann: { id: newId(), email: "ann@studio.test", role: "member", cookie: "" },
  bob: { id: newId(), email: "bob@studio.test", role: "member", cookie: "" },
  boss: { id: newId(), email: "boss@studio.test", role: "admin", cookie: "" },
};
const { ann, bob, boss } = people;

beforeAll(async () => {
  const started = await Promise.allSettled([startServer({ env: { DEMO_DELAY_MS: "100" } }), startServer({ env: { DEMO_DELAY_MS: "100" } })]);
  if (started[0].status === "fulfilled") team = started[0].value;
  if (started[1].status === "fulfilled") open = started[1].value;
  for (const r of started) if (r.status === "rejected") throw r.reason;

  const passwordHash = await hashPassword(PASSWORD);
  for (const person of Object.values(people)) await insertAccount(team, { ...person, passwordHash });
  // The server notices the first account within its 2 s cache: then the API wants a sign-in.
  await until("team mode", async () => (await fetch(`${team.url}/api/jobs`).then((r) => r.arrayBuffer().then(() => r.status))) === 401, 10_000, 200);
  for (const person of Object.values(people)) person.cookie = await signIn(person.email);
});

afterAll(async () => {
  await Promise.all([team?.stop(), open?.stop()]);
});

/** Through the sign-in form, as a browser does; returns the session cookie's value. */
async function signIn(email: string): Promise<string> {
  const res = await fetch(`${team.url}/api/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: PASSWORD, next: "/" }).toString(),
  });
  await res.arrayBuffer();
  expect(res.status).toBe(303);
  return /atelier_session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))![1]!;
}

async function call(as: Person | null, path: string, init: { method?: string; body?: unknown; form?: FormData } = {}) {
  const server = as ? team : open;
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body !== undefined || init.form ? "POST" : "GET"),
    headers: { ...(as && { cookie: `atelier_session=${as.cookie}` }), ...(init.body !== undefined && { "content-type": "application/json" }) },
    body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await res.text();
  let body: Json = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

async function submit(as: Person | null, prompt: string, extra: Record<string, unknown> = {}): Promise<Json> {
  const res = await call(as, "/api/jobs", { body: { provider: "demo", prompt, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function uploadAs(as: Person | null, variant: number): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(await gradientPng(64, 48, variant))], { type: "image/png" }), "in.png");
  const res = await call(as, "/api/uploads", { form });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function finished(as: Person | null, id: string): Promise<Json> {
  let job: Json;
  await until(`job ${id} to finish`, async () => {
    job = (await call(as, `/api/jobs/${id}`)).body;
    return ["succeeded", "failed", "canceled"].includes(job.status);
  });
  return job;
}

const ids = (page: Json) => (page.items as Json[]).map((job) => job.id as string).sort();
const creator = (person: Person) => ({ id: person.id, email: person.email, removed: false });

describe("who made what", () => {
  it("records the maker of every job, upload and output, and each job says who made it", async () => {
    const annInput = await uploadAs(ann, 1);
    const bobInput = await uploadAs(bob, 2);
    const annEdit = await submit(ann, "ann warms the light", { inputImageIds: [annInput] });
    const bobMade = await submit(bob, "bob's teapot");
    expect(jobProblems(annEdit)).toEqual([]);
    expect(annEdit.createdBy).toEqual(creator(ann));
    expect(bobMade.createdBy).toEqual(creator(bob));

    const [annDone, bobDone] = [await finished(ann, annEdit.id), await finished(bob, bobMade.id)];
    expect(annDone.status).toBe("succeeded");
    expect(bobDone.status).toBe("succeeded");
    // Anyone on the team reads anyone's job, and it names its maker.
    expect((await call(bob, `/api/jobs/${annEdit.id}`)).body.createdBy).toEqual(creator(ann));

    const outputs = [...annDone.outputs, ...bobDone.outputs].map((o: Json) => o.imageId as string);
    expect(await madeBy(team, "Image", [annInput, bobInput, ...outputs])).toEqual({
      [annInput]: ann.id,
      [bobInput]: bob.id,
      [annDone.outputs[0].imageId]: ann.id,
      [bobDone.outputs[0].imageId]: bob.id,
    });
    expect(await madeBy(team, "Job", [annEdit.id, bobMade.id])).toEqual({ [annEdit.id]: ann.id, [bobMade.id]: bob.id });

    // A batch is its sender's, every job of it.
    const batch = await call(boss, "/api/jobs/batch", { body: { recipe: { provider: "demo", prompt: "boss's variations" }, variations: 2 } });
    expect(batch.status).toBe(201);
    expect(batch.body.jobs.map((job: Json) => job.createdBy)).toEqual([creator(boss), creator(boss)]);
  });

  it("filters the history by person: by=me, by=<account id>; everyone's by default", async () => {
    const mine = [await submit(ann, "ann one"), await submit(ann, "ann two")].map((j) => j.id);
    const theirs = (await submit(bob, "bob one")).id;

    const all = await call(ann, "/api/jobs?limit=100");
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual(expect.arrayContaining([...mine, theirs]));
    expect(new Set(all.body.items.map((job: Json) => job.createdBy?.email))).toEqual(new Set([ann.email, bob.email, boss.email]));

    const annMine = await call(ann, "/api/jobs?by=me&limit=100");
    expect(annMine.body.items.length).toBeGreaterThanOrEqual(2);
    expect(annMine.body.items.every((job: Json) => job.createdBy.id === ann.id)).toBe(true);
    expect(ids(annMine.body)).toEqual(expect.arrayContaining(mine));
    expect(ids(annMine.body)).not.toContain(theirs);

    const bobsAsSeenByAnn = await call(ann, `/api/jobs?by=${bob.id}&limit=100`);
    expect(bobsAsSeenByAnn.body.items.every((job: Json) => job.createdBy.id === bob.id)).toBe(true);
    expect(ids(bobsAsSeenByAnn.body)).toContain(theirs);
    expect(ids((await call(bob, "/api/jobs?by=me&limit=100")).body)).toEqual(ids(bobsAsSeenByAnn.body));

    // Keyset paging keeps the filter.
    const first = await call(ann, "/api/jobs?by=me&limit=1");
    const second = await call(ann, `/api/jobs?by=me&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].createdBy.id).toBe(ann.id);
    expect(second.body.items[0].id < first.body.items[0].id).toBe(true);

    // Someone with no jobs (or no account at all): nothing, not an error.
    expect((await call(ann, `/api/jobs?by=${newId()}`)).body.items).toEqual([]);
  });

  it("refuses a malformed person with 400, never a 500", async () => {
    for (const by of ["you", "x".repeat(500), "me\u0007", ann.id.toLowerCase(), `${ann.id} `, ""]) {
      const res = await call(ann, `/api/jobs?by=${encodeURIComponent(by)}`);
      expect(res.status, by).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });
});

describe("pages", () => {
  const html = async (as: Person | null, path: string) => {
    const res = await call(as, path);
    expect(res.status).toBe(200);
    return String(res.body);
  };
  const madeByText = (page: string) => /data-testid="made-by"[^>]*>by (?:<!-- -->)?([^<]+)</.exec(page)?.[1] ?? null;

  it("say who made a job (\"by me\" to its maker), and the studio offers the person filter, in team mode only", async () => {
    const job = await submit(ann, "ann's page");
    expect(madeByText(await html(ann, `/jobs/${job.id}`))).toBe("me");
    expect(madeByText(await html(bob, `/jobs/${job.id}`))).toBe(ann.email);
    const studio = await html(bob, "/");
    expect(studio).toContain("Person filter");
    expect(studio).toContain(`<option value="${ann.id}">${ann.email}</option>`);

    const openJob = await submit(null, "an open studio's page");
    expect(madeByText(await html(null, `/jobs/${openJob.id}`))).toBeNull();
    expect(await html(null, "/")).not.toContain("Person filter");
  });
});

describe("deleting and canceling", () => {
  const TABLES = ["Job", "Image", "JobOutput"] as const;

  it("refuses a member deleting someone else's job, and keeps it and its images", async () => {
    const theirs = await finished(bob, (await submit(bob, "bob's to keep")).id);
    const before = await storedCounts(team, TABLES);

    const res = await call(ann, "/api/jobs/delete", { body: { ids: [theirs.id] } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(res.body.error.message).toMatch(/someone else's/);
    expect(await storedCounts(team, TABLES)).toEqual(before);
    expect((await call(bob, `/api/jobs/${theirs.id}`)).body.outputs).toEqual(theirs.outputs);
    expect((await call(bob, theirs.outputs[0].thumbUrl)).status).toBe(200);
  });

  it("refuses a mixed selection whole: nothing deleted, and the message counts what is not theirs", async () => {
    const mine = await finished(ann, (await submit(ann, "ann's in a mix")).id);
    const bobs = await finished(bob, (await submit(bob, "bob's in a mix")).id);
    const boss1 = await finished(boss, (await submit(boss, "boss's in a mix")).id);
    const before = await storedCounts(team, TABLES);

    const res = await call(ann, "/api/jobs/delete", { body: { ids: [mine.id, bobs.id, boss1.id] } });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("2 of these 3 jobs") });
    expect(await storedCounts(team, TABLES)).toEqual(before);
    for (const job of [mine, bobs, boss1]) expect((await call(ann, `/api/jobs/${job.id}`)).status).toBe(200);
  });

  it("lets a member delete their own jobs, and an admin anyone's", async () => {
    const mine = await finished(ann, (await submit(ann, "ann's to delete")).id);
    const res = await call(ann, "/api/jobs/delete", { body: { ids: [mine.id] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 1, imagesRemoved: 1 });
    expect((await call(ann, `/api/jobs/${mine.id}`)).status).toBe(404);
    expect((await call(ann, mine.outputs[0].url)).status).toBe(404);

    const annsAndBobs = [await submit(ann, "ann's for the admin"), await submit(bob, "bob's for the admin")];
    for (const job of annsAndBobs) await finished(boss, job.id);
    const byAdmin = await call(boss, "/api/jobs/delete", { body: { ids: annsAndBobs.map((job) => job.id) } });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.deleted).toBe(2);
    for (const job of annsAndBobs) expect((await call(boss, `/api/jobs/${job.id}`)).status).toBe(404);
  });

  it("lets only the maker or an admin cancel a job", async () => {
    // A long demo run, so the job is still going when the cancels arrive.
    const slow = { prompt: "a slow one", n: 4 };
    const theirs = await submit(bob, slow.prompt, { n: slow.n });
    const refused = await call(ann, `/api/jobs/${theirs.id}/cancel`, { method: "POST" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect((await call(ann, `/api/jobs/${theirs.id}`)).body.status).not.toBe("canceled");

    const own = await call(bob, `/api/jobs/${theirs.id}/cancel`, { method: "POST" });
    expect([200, 409]).toContain(own.status); // 409: it finished first, which is no refusal
    if (own.status === 200) expect(own.body.status).toBe("canceled");

    const annsJob = await submit(ann, slow.prompt, { n: slow.n });
    const byAdmin = await call(boss, `/api/jobs/${annsJob.id}/cancel`, { method: "POST" });
    expect([200, 409]).toContain(byAdmin.status);
  });
});

describe("without accounts", () => {
  it("works as before: no maker on jobs, anyone deletes anything, and by=me is what was made without one", async () => {
    const job = await submit(null, "an open studio's vase");
    expect(job.createdBy).toBeNull();
    const done = await finished(null, job.id);
    expect(done.createdBy).toBeNull();
    const page = await call(null, "/api/jobs?limit=100");
    expect(page.body.items.length).toBeGreaterThan(0);
    expect(page.body.items.every((j: Json) => j.createdBy === null)).toBe(true);
    // Everything here was made without an account: "me" is all of it.
    expect(ids((await call(null, "/api/jobs?by=me&limit=100")).body)).toEqual(ids(page.body));
    expect((await call(null, `/api/jobs?by=${newId()}`)).body.items).toEqual([]);
    expect((await call(null, "/api/jobs?by=nobody")).status).toBe(400);
    expect((await call(null, "/api/jobs/delete", { body: { ids: [job.id] } })).body).toEqual({ deleted: 1, imagesRemoved: 1 });
  });
});
