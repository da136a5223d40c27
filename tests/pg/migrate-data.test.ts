/**
 * `npm run migrate-data` (issue 13): a SQLite studio's history, made through the real API of
 * the production server (uploads, demo jobs incl. a region edit and a batch, a star, a note,
 * a job left running by a crash, failed sign-ins), moved into a throwaway PostgreSQL and an
 * s3rver bucket by the real script in its own process: copied field by field and byte for
 * byte, idempotent, resumable after kill -9, refusing a target with other rows under the same
 * ids, and served by a studio started on the result.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient as SqliteClient } from "@/lib/generated/prisma/client";
import { PrismaClient as PostgresClient } from "@/lib/generated/prisma-pg/client";
import { searchText } from "@/lib/search-text";
import { S3Storage } from "@/lib/storage/s3";
import { migratePostgres, PG_MIGRATIONS } from "../../scripts/migrate-pg.mjs";
import { gradientPng } from "../support/fixtures";
import { startPostgres, type PostgresCluster } from "../support/postgres";
import { startS3, type TestS3 } from "../support/s3";
import { createJob, download, getJson, postJson, ROOT, startServer, type TestServer, uploadOk, waitForJob } from "../support/server";

type Snapshot = Awaited<ReturnType<typeof snapshot>>;
type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

let cluster: PostgresCluster;
let s3: TestS3;
let sourceDir: string;
let source: Snapshot;
let unfolded: string[];
const ids = { favorite: "", noted: "", region: "", running: "", batch: "", token: "" };
const cleanup: (() => Promise<unknown>)[] = [];

/** Every row of every table, in key order, as the studio's Prisma client reads it. */
async function snapshot(client: SqliteClient | PostgresClient) {
  const db = client as SqliteClient; // the same models on both (lib/db.ts)
  return {
    Image: await db.image.findMany({ orderBy: { id: "asc" } }),
    Job: await db.job.findMany({ orderBy: { id: "asc" } }),
    JobInput: await db.jobInput.findMany({ orderBy: [{ jobId: "asc" }, { position: "asc" }] }),
    JobOutput: await db.jobOutput.findMany({ orderBy: [{ jobId: "asc" }, { position: "asc" }] }),
    LoginAttempt: await db.loginAttempt.findMany({ orderBy: { id: "asc" } }),
    Session: await db.session.findMany({ orderBy: { id: "asc" } }),
    ApiToken: await db.apiToken.findMany({ orderBy: { id: "asc" } }),
    Account: await db.account.findMany({ orderBy: { id: "asc" } }),
    Invite: await db.invite.findMany({ orderBy: { id: "asc" } }),
    Setting: await db.setting.findMany({ orderBy: { key: "asc" } }),
  };
}

const counts = (s: Snapshot) => Object.fromEntries(Object.entries(s).map(([table, rows]) => [table, rows.length]));

async function readTarget(url: string): Promise<Snapshot> {
  const db = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    return await snapshot(db);
  } finally {
    await db.$disconnect();
  }
}

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

const sourceFile = (key: string) => fs.readFileSync(path.join(sourceDir, "images", key));

/** Every original and thumbnail of the source, byte for byte, in `read`. */
async function expectImagesIn(read: (key: string) => Promise<Buffer>): Promise<void> {
  for (const image of source.Image) {
    for (const key of [image.path, image.thumbPath]) expect((await read(key)).equals(sourceFile(key)), key).toBe(true);
  }
}

/** Runs the real script on the source; `killOn`: SIGKILL it as soon as its output matches. */
function migrateData(env: Record<string, string>, opts: { args?: string[]; killOn?: RegExp } = {}): Promise<Run> {
  const inherited = { ...process.env };
  for (const name of Object.keys(inherited)) if (/^(DATABASE_URL|DATA_DIR|S3_)/.test(name)) delete inherited[name];
  const child: ChildProcess = spawn(process.execPath, ["scripts/migrate-data.mjs", "--from", sourceDir, ...(opts.args ?? [])], {
    cwd: ROOT,
    // The SDK's notice that its 2027 releases need Node 22 would fill stderr, which must hold only our own failures.
    env: { ...inherited, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run: Run = { code: null, signal: null, stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk: Buffer) => {
    run.stdout += chunk;
    if (opts.killOn?.test(run.stdout)) child.kill("SIGKILL");
  });
  child.stderr!.on("data", (chunk: Buffer) => (run.stderr += chunk));
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ ...run, code, signal })));
}

/** A fresh empty folder for DATA_DIR, removed after the file. */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-migrate-"));
  cleanup.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function maskPng(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height);
  for (let y = 100; y < 160; y++) data.fill(255, y * width + 150, y * width + 230);
  return sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

const patchImage = (url: string, id: string, body: unknown) =>
  fetch(`${url}/api/images/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The old studio's history, made through its API; the studio is stopped (crashed) afterwards. */
async function buildHistory(): Promise<void> {
  let studio: TestServer = await startServer({ env: { DEMO_DELAY_MS: "50" }, ownsDataDir: false });
  sourceDir = studio.dataDir;
  cleanup.push(() => fs.promises.rm(sourceDir, { recursive: true, force: true }));
  const url = studio.url;
  const uploads = [await uploadOk(url, await gradientPng(400, 300, 1)), await uploadOk(url, await gradientPng(320, 240, 2)), await uploadOk(url, await gradientPng(240, 320, 3))];
  const mask = await uploadOk(url, await maskPng(400, 300), "mask.png");
  const jobs = [
    await createJob(url, { prompt: "A paper lantern at dusk", aspectRatio: "1:1", n: 2, seed: 7 }),
    await createJob(url, { prompt: "Warmer light", inputImageIds: [uploads[0]] }),
    await createJob(url, { prompt: "Invert the box", inputImageIds: [uploads[0]], maskImageId: mask }),
  ];
  const batch = await postJson(`${url}/api/jobs/batch`, { recipe: { provider: "demo", prompt: "Cool tone", seed: 42 }, inputImageIds: uploads });
  expect(batch.status).toBe(201);
  ids.batch = batch.body.batchId;
  for (const job of [...jobs, ...batch.body.jobs]) expect((await waitForJob(url, job.id)).status).toBe("succeeded");
  ids.region = jobs[2].id;
  ids.favorite = (await waitForJob(url, jobs[0].id)).outputs[1].imageId;
  ids.noted = uploads[1]!;
  expect((await patchImage(url, ids.favorite, { favorite: true })).status).toBe(200);
  expect((await patchImage(url, ids.noted, { note: "Client's pick — keep the grain" })).status).toBe(200);
  studio.kill();
  await studio.exited;

  // A job the old studio was running when it went down: its state must travel as it is.
  studio = await startServer({ dataDir: sourceDir, env: { DEMO_DELAY_MS: "60000" }, ownsDataDir: false });
  ids.running = (await createJob(studio.url, { prompt: "Slow one" })).id;
  await waitForJob(studio.url, ids.running, ["running"]);
  studio.kill();
  await studio.exited;

  // A session and an API token, then failed sign-ins (the shared throttle's rows; a right one
  // would clear them), with the worker off so the running job stays as it was.
  studio = await startServer({ dataDir: sourceDir, env: { ATELIER_PASSWORD: "right-one", ATELIER_WORKER: "off" }, readyPath: "/login", ownsDataDir: false });
  const signIn = new FormData();
  signIn.set("password", "right-one");
  const session = await fetch(`${studio.url}/api/login`, { method: "POST", body: signIn, redirect: "manual" });
  const cookie = session.headers.getSetCookie().find((c) => c.startsWith("atelier_session="))!.split(";")[0]!;
  const token = await fetch(`${studio.url}/api/tokens`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "backup script" }) });
  ids.token = (await token.json()).token;
  for (const password of ["wrong-1", "wrong-2"]) {
    const form = new FormData();
    form.set("password", password);
    await fetch(`${studio.url}/api/login`, { method: "POST", body: form, redirect: "manual" });
  }
  await studio.stop();
}

beforeAll(async () => {
  cluster = await startPostgres();
  s3 = await startS3();
  await buildHistory();
  const db = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: `file:${path.join(sourceDir, "atelier.db")}` }) });
  // A job saved before the search column, in a studio only migrated since: its prompt is still unfolded.
  await db.job.update({ where: { id: ids.region }, data: { promptSearch: "" } });
  // Accounts that made a job and an image, then were removed (so the moved studio stays in
  // shared-password mode, which the tests below sign in with); their rows travel all the same.
  const removedAt = new Date("2026-11-30T09:00:00.250Z");
  const admin = await db.account.create({ data: { id: "01J0000000000000000000ACC1", email: "ana@example.com", role: "admin", passwordHash: "scrypt$16384$8$1$c2FsdA$a2V5", budgetUsd: 12.5, removedAt } });
  const member = await db.account.create({ data: { id: "01J0000000000000000000ACC2", email: "bo@example.com", role: "member", removedAt } });
  await db.invite.create({ data: { id: "01J0000000000000000000INV1", accountId: member.id, tokenHash: "f".repeat(64), expiresAt: new Date("2026-12-03T10:00:00.123Z") } });
  await db.job.update({ where: { id: ids.running }, data: { accountId: admin.id } });
  await db.image.update({ where: { id: ids.noted }, data: { accountId: admin.id } });
  source = await snapshot(db);
  unfolded = source.Job.filter((job) => job.promptSearch === "").map((job) => job.id);
  // What the source holds once a studio has started on it, which the target must hold.
  source.Job = source.Job.map((job) => (job.promptSearch === "" ? { ...job, promptSearch: searchText(job.prompt) } : job));
  await db.$disconnect();
}, 180_000);

afterAll(async () => {
  await s3?.close();
  await cluster?.stop();
  for (const step of cleanup) await step();
});

describe("the history the test moves", () => {
  it("holds every kind of row", () => {
    expect(source.Job.find((job) => job.id === ids.running)).toMatchObject({ status: "running", claimedBy: expect.any(String) });
    expect(source.Job.find((job) => job.id === ids.region)).toMatchObject({ maskImageId: expect.any(String), regionWidth: expect.any(Number) });
    expect(source.Job.filter((job) => job.batchId === ids.batch)).toHaveLength(3);
    expect(source.JobOutput.some((output) => output.changeFraction !== null)).toBe(true);
    expect(source.LoginAttempt).toHaveLength(2);
    expect(source.Session).toHaveLength(1);
    expect(source.ApiToken).toHaveLength(1);
    expect(source.Account).toHaveLength(2);
    expect(source.Invite).toHaveLength(1);
    expect(source.Setting.map((row) => row.key)).toEqual(["sharedPassword"]);
    expect(source.Job.find((job) => job.id === ids.running)!.accountId).toBe(source.Account[0]!.id);
    expect(ids.token).toMatch(/^atk_/);
    expect(unfolded).toEqual([ids.region]);
  });
});

describe("npm run migrate-data into PostgreSQL and S3", () => {
  let url: string;
  const env = () => ({ DATABASE_URL: url, DATA_DIR: tempDir(), ...s3.env });

  beforeAll(async () => {
    url = await cluster.createDatabase("moved");
  });

  it("applies the migrations to an empty database, copies every row field by field and every image byte for byte, and says it verified", async () => {
    const run = await migrateData(env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const committed = fs.readdirSync(PG_MIGRATIONS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).length;
    expect(run.stdout).toContain(`Applied ${committed} migration(s) to the target first.`);
    const rows = Object.values(counts(source)).reduce((sum, n) => sum + n, 0);
    expect(run.stdout).toContain(`Copied ${rows} row(s) and ${source.Image.length * 2} object(s). Verified`);
    for (const [table, n] of Object.entries(counts(source))) expect(run.stdout).toMatch(new RegExp(`${table}\\s+${n}\\s+${n}\\s+ok`));

    const target = await readTarget(url);
    expect(target).toEqual(source);
    expect(target.Image.find((image) => image.id === ids.favorite)?.favorite).toBe(true);
    expect(target.Image.find((image) => image.id === ids.noted)?.note).toBe("Client's pick — keep the grain");
    expect(target.Job.find((job) => job.id === ids.running)?.status).toBe("running");

    const bucket = new S3Storage(s3.settings);
    await expectImagesIn((key) => bucket.get(key));
    // The copied ids do not stop new sign-in failures from getting their own.
    await sql(url, `INSERT INTO "LoginAttempt" (client, at) VALUES ('new', now())`);
    await sql(url, `DELETE FROM "LoginAttempt" WHERE client = 'new'`);
  }, 60_000);

  it("a second run copies nothing and says so", async () => {
    const bucket = new S3Storage(s3.settings);
    const objects = async () => {
      let n = 0;
      for await (const _ of bucket.list()) n++;
      return n;
    };
    const before = await objects();
    expect(before).toBe(source.Image.length * 2);

    const run = await migrateData(env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("The target's schema is up to date.");
    expect(run.stdout).toContain("Nothing new to copy: the target already held every row and image. Verified.");
    expect(await readTarget(url)).toEqual(source);
    expect(await objects()).toBe(before);
  }, 60_000);

  it("a damaged object in the target fails the check, named; once it is deleted there, the next run stores it anew", async () => {
    const bucket = new S3Storage(s3.settings);
    const image = source.Image.find((i) => i.id === ids.favorite)!;
    await bucket.put(image.path, Buffer.from("not the image"));

    const damaged = await migrateData(env());
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).not.toContain("Verified");
    expect(damaged.stderr).toContain("Verification failed: 1 problem(s).");
    expect(damaged.stderr).toContain(`Image ${image.id}: images/${image.path} in the target does not hash to its sha256`);

    await bucket.delete(image.path);
    const repaired = await migrateData(env());
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain("Copied 0 row(s) and 1 object(s). Verified");
    expect((await bucket.get(image.path)).equals(sourceFile(image.path))).toBe(true);
  }, 60_000);

  it("a studio started on the moved database and bucket lists the jobs and serves their images", async () => {
    const studio = await startServer({ env: { DATABASE_URL: url, ...s3.env, ATELIER_WORKER: "off" } });
    cleanup.unshift(() => studio.stop());
    const listed = await getJson(`${studio.url}/api/jobs?limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((job: { id: string }) => job.id).sort()).toEqual(source.Job.map((job) => job.id).sort());

    const region = source.JobOutput.find((output) => output.jobId === ids.region)!;
    const image = source.Image.find((i) => i.id === region.imageId)!;
    const { res, bytes } = await download(studio.url, `/api/images/${image.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${image.sha256.slice(0, 32)}"`);
    expect(bytes.equals(sourceFile(image.path))).toBe(true);
  }, 60_000);

  it("a script's API token made on SQLite still works on the moved studio behind the same password", async () => {
    const studio = await startServer({ env: { DATABASE_URL: url, ...s3.env, ATELIER_WORKER: "off", ATELIER_PASSWORD: "right-one" }, readyPath: "/login" });
    cleanup.unshift(() => studio.stop());
    const withToken = await fetch(`${studio.url}/api/jobs`, { headers: { authorization: `Bearer ${ids.token}` } });
    await withToken.arrayBuffer();
    expect(withToken.status).toBe(200);
    const without = await fetch(`${studio.url}/api/jobs`);
    await without.arrayBuffer();
    expect(without.status).toBe(401);
  }, 60_000);
});

describe("a copy killed with SIGKILL halfway", () => {
  it("goes on where it stopped when run again: no duplicate, no damaged object, verified", async () => {
    const url = await cluster.createDatabase("killed");
    const bucket = await startS3();
    cleanup.push(() => bucket.close());
    const env = { DATABASE_URL: url, DATA_DIR: tempDir(), ...bucket.env };
    // Slowed down, two rows a batch, so a kill lands between objects and between batches.
    const slow = { ...env, ATELIER_MIGRATE_PAUSE_MS: "150" };

    const first = await migrateData(slow, { args: ["--batch", "2"], killOn: /Image: \d+ read/ });
    expect(first.signal).toBe("SIGKILL");
    let target = await readTarget(url);
    expect(target.Image.length).toBeGreaterThan(0);
    expect(target.Image.length).toBeLessThan(source.Image.length);
    expect(target.Job).toHaveLength(0);
    // An upload cut short, as a server that kept a torn object would leave it: the rerun must not take it for done.
    const pending = source.Image.find((image) => !target.Image.some((copied) => copied.id === image.id))!;
    await new S3Storage(bucket.settings).put(pending.path, sourceFile(pending.path).subarray(0, 100));

    const second = await migrateData(slow, { args: ["--batch", "2"], killOn: /Job: \d+ read/ });
    expect(second.signal).toBe("SIGKILL");
    target = await readTarget(url);
    expect(target.Image).toHaveLength(source.Image.length);
    expect(target.Job.length).toBeLessThan(source.Job.length);

    const third = await migrateData(env);
    expect(third.stderr).toBe("");
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/Copied \d+ row\(s\) and \d+ object\(s\)\. Verified/);
    expect(await readTarget(url)).toEqual(source);
    await expectImagesIn((key) => new S3Storage(bucket.settings).get(key));
  }, 120_000);
});

describe("a target holding other rows under the source's ids", () => {
  it("is refused with the rows named, nothing overwritten or copied; once they are gone the copy goes into DATA_DIR/images", async () => {
    const url = await cluster.createDatabase("taken");
    await migratePostgres(url);
    const job = source.Job.find((j) => j.id === ids.region)!;
    const image = source.Image.find((i) => i.id === ids.noted)!;
    await sql(url, `INSERT INTO "Job" (id, provider, model, mode, prompt, "promptSearch", "aspectRatio", seed, n, status) VALUES ($1, 'demo', 'demo', 'edit', 'Someone else''s job', 'someone else''s job', '1:1', 1, 1, 'succeeded')`, [job.id]);
    await sql(url, `INSERT INTO "Image" (id, sha256, mime, width, height, bytes, path, "thumbPath", "thumbBytes", origin) VALUES ('01J0000000000000000000000X', $1, 'image/png', 1, 1, 1, 'p', 't', 1, 'upload')`, [image.sha256]);
    const dataDir = tempDir();
    const env = { DATABASE_URL: url, DATA_DIR: dataDir };

    const refused = await migrateData(env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Refused: the target already holds 2 row(s) under the source's ids with other values. Nothing was copied or changed.");
    expect(refused.stderr).toContain(`Job ${job.id}: prompt`);
    expect(refused.stderr).toContain(`Image ${image.id}: sha256 (held by 01J0000000000000000000000X in the target)`);
    const untouched = await readTarget(url);
    expect(counts(untouched)).toEqual({ Image: 1, Job: 1, JobInput: 0, JobOutput: 0, LoginAttempt: 0, Session: 0, ApiToken: 0, Account: 0, Invite: 0, Setting: 0 });
    expect(untouched.Job[0]!.prompt).toBe("Someone else's job");
    expect(fs.existsSync(path.join(dataDir, "images"))).toBe(false);

    await sql(url, `DELETE FROM "Job"`);
    await sql(url, `DELETE FROM "Image"`);
    const run = await migrateData(env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`images in the folder ${path.join(dataDir, "images")}`);
    expect(await readTarget(url)).toEqual(source);
    await expectImagesIn(async (key) => fs.readFileSync(path.join(dataDir, "images", key)));
  }, 60_000);
});
