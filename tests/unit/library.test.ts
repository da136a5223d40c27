import fs from "node:fs";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import sharp from "sharp";
import { unzipSync } from "fflate";
import { useFreshDataDir } from "../support/test-db";
import type { Db } from "@/lib/db";
import { OPEN_ACTOR } from "@/lib/actor";

const dataDir = useFreshDataDir();
let db: Db;
let jobs: typeof import("@/lib/jobs");
let library: typeof import("@/lib/library");
let exporter: typeof import("@/lib/export");
let ledger: typeof import("@/lib/ledger");
let images: typeof import("@/lib/images");
let ids: typeof import("@/lib/ids");

beforeAll(async () => {
  db = (await import("@/lib/db")).db();
  jobs = await import("@/lib/jobs");
  library = await import("@/lib/library");
  exporter = await import("@/lib/export");
  ledger = await import("@/lib/ledger");
  images = await import("@/lib/images");
  ids = await import("@/lib/ids");
});

beforeEach(async () => {
  await db.jobOutput.deleteMany();
  await db.jobInput.deleteMany();
  await db.job.deleteMany();
  await db.image.deleteMany();
  fs.rmSync(path.join(dataDir, "images"), { recursive: true, force: true });
});

let hue = 0;
const png = () =>
  sharp({ create: { width: 96, height: 64, channels: 3, background: { r: (hue += 37) % 256, g: 90, b: 200 } } }).png().toBuffer();

/** A job that "succeeded" with fresh outputs, without a worker: the outputs are stored as the worker would. */
async function finishedJob(
  over: { prompt?: string; inputImageIds?: string[]; provider?: string; model?: string; n?: number; costUsd?: number | null; createdAt?: Date } = {},
) {
  const job = await jobs.createJob({ provider: "demo", prompt: over.prompt ?? "a lamp", inputImageIds: over.inputImageIds, n: over.n }, OPEN_ACTOR);
  const outputs = [];
  for (let i = 0; i < (over.n ?? 1); i++) outputs.push(await images.ingestImage(await png(), "output", null));
  await db.job.update({
    where: { id: job.id },
    data: {
      status: "succeeded",
      finishedAt: new Date(),
      costUsd: over.costUsd === undefined ? 0 : over.costUsd,
      ...(over.provider && { provider: over.provider }),
      ...(over.model && { model: over.model }),
      outputs: { create: outputs.map((image, position) => ({ imageId: image.id, position, seed: job.seed + position })) },
    },
  });
  return { job: (await jobs.getJob(job.id))!, outputs };
}

const filesOnDisk = () => fs.readdirSync(path.join(dataDir, "images"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

describe("bulk delete", () => {
  it("removes the jobs and the images only they used, rows and files, keeping shared images", async () => {
    const upload = await images.ingestImage(await png(), "upload", null);
    const parent = await finishedJob({ inputImageIds: [upload.id], prompt: "parent" });
    const child = await finishedJob({ inputImageIds: [parent.outputs[0]!.id], prompt: "child" });
    const before = filesOnDisk();

    const result = await library.deleteJobs({ ids: [parent.job.id] }, OPEN_ACTOR);
    expect(result.deleted).toBe(1);
    // The parent's output is the child's input, and the upload was only the parent's: only the upload goes.
    expect(result.imagesRemoved).toBe(1);
    expect(await jobs.getJob(parent.job.id)).toBeNull();
    expect(await images.readImage(upload.id, "full")).toBeNull();
    expect(await images.readImage(parent.outputs[0]!.id, "full")).not.toBeNull();
    expect(filesOnDisk()).toBe(before - 2);

    await library.deleteJobs({ ids: [child.job.id] }, OPEN_ACTOR);
    expect(await images.readImage(parent.outputs[0]!.id, "full")).toBeNull();
    expect(filesOnDisk()).toBe(0);
  });
});

describe("gallery filters", () => {
  it("filters by favourite, mode and date, sorts both ways, and pages with the cursor", async () => {
    const a = await finishedJob({ prompt: "alpha" });
    const b = await finishedJob({ prompt: "beta", inputImageIds: [a.outputs[0]!.id] });
    const c = await finishedJob({ prompt: "gamma" });
    await library.updateImageMeta(b.outputs[0]!.id, { favorite: true, note: "client pick" });

    const favourites = await jobs.listJobs({ favorite: "1" });
    expect(favourites.items.map((j) => j.id)).toEqual([b.job.id]);
    expect(favourites.items[0]!.outputs[0]).toMatchObject({ favorite: true, note: "client pick" });
    expect((await jobs.listJobs({ mode: "edit" })).items.map((j) => j.id)).toEqual([b.job.id]);
    expect((await jobs.listJobs({ sort: "oldest" })).items.map((j) => j.id)).toEqual([a.job.id, b.job.id, c.job.id]);

    const firstPage = await jobs.listJobs({ sort: "oldest", limit: "2" });
    expect(firstPage.items.map((j) => j.id)).toEqual([a.job.id, b.job.id]);
    const secondPage = await jobs.listJobs({ sort: "oldest", limit: "2", cursor: firstPage.nextCursor });
    expect(secondPage.items.map((j) => j.id)).toEqual([c.job.id]);
    expect(secondPage.nextCursor).toBeNull();

    const today = new Date().toISOString().slice(0, 10);
    expect((await jobs.listJobs({ from: today, to: today })).items).toHaveLength(3);
    expect((await jobs.listJobs({ to: "2020-01-01" })).items).toHaveLength(0);
  });

  it("matches a model at one provider with `provider:model`, and at any provider with the bare id", async () => {
    const model = "black-forest-labs/flux-kontext-pro";
    const quick = await finishedJob({ provider: "quickrouter", model });
    const verse = await finishedJob({ provider: "modelverse", model });
    await finishedJob({ provider: "demo" });
    const ids = async (query: Record<string, string>) => (await jobs.listJobs(query)).items.map((j) => j.id);

    expect(await ids({ model: `quickrouter:${model}` })).toEqual([quick.job.id]);
    expect(await ids({ model: `modelverse:${model}` })).toEqual([verse.job.id]);
    expect(await ids({ model })).toEqual([verse.job.id, quick.job.id]);
    expect(await ids({ provider: "quickrouter", model })).toEqual([quick.job.id]);
    // Both narrow: a provider and another provider's model match nothing.
    expect(await ids({ provider: "modelverse", model: `quickrouter:${model}` })).toEqual([]);
  });

  it("refuses a malformed date or note", async () => {
    await expect(jobs.listJobs({ from: "yesterday" })).rejects.toMatchObject({ code: "invalid_request" });
    const { outputs } = await finishedJob();
    await expect(library.updateImageMeta(outputs[0]!.id, { note: "x".repeat(501) })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(library.updateImageMeta(ids.newId(), { favorite: true })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("batches and re-runs", () => {
  it("makes n variations with distinct seeds in one batch", async () => {
    const { batchId, jobs: made } = await jobs.createBatch({ recipe: { provider: "demo", prompt: "a vase", seed: 5 }, variations: 4 }, OPEN_ACTOR);
    expect(made).toHaveLength(4);
    expect(new Set(made.map((j) => j.seed)).size).toBe(4);
    expect(made.every((j) => j.batchId === batchId && j.prompt === "a vase")).toBe(true);
    expect((await jobs.getBatch(batchId)).map((j) => j.id)).toEqual(made.map((j) => j.id));
  });

  it("refuses a whole fan-out when one target cannot run it, creating nothing", async () => {
    await expect(
      jobs.createBatch({ recipe: { provider: "demo", prompt: "a vase" }, targets: [{ provider: "demo" }, { provider: "therouter" }] }, OPEN_ACTOR),
    ).rejects.toMatchObject({ code: "provider_not_configured" });
    expect(await db.job.count()).toBe(0);
  });

  it("re-runs a job with the same recipe and seed", async () => {
    const { job } = await finishedJob({ prompt: "again" });
    const again = await library.rerunJob(job.id, OPEN_ACTOR);
    expect(again.id).not.toBe(job.id);
    expect({ prompt: again.prompt, seed: again.seed, aspectRatio: again.aspectRatio }).toEqual({
      prompt: job.prompt,
      seed: job.seed,
      aspectRatio: job.aspectRatio,
    });
    expect(again.status).toBe("queued");
  });
});

describe("lineage", () => {
  it("builds the tree from the oldest ancestor through every edit", async () => {
    const upload = await images.ingestImage(await png(), "upload", null);
    const first = await finishedJob({ inputImageIds: [upload.id], prompt: "first edit" });
    const second = await finishedJob({ inputImageIds: [first.outputs[0]!.id], prompt: "second edit" });
    const sibling = await finishedJob({ inputImageIds: [upload.id], prompt: "other branch" });

    const { root, focus } = await library.getLineage(second.outputs[0]!.id);
    expect(focus).toBe(second.outputs[0]!.id);
    expect(root.imageId).toBe(upload.id);
    expect(root.children.map((c) => c.prompt)).toEqual(["first edit", "other branch"]);
    expect(root.children[0]!.outputs[0]!.imageId).toBe(first.outputs[0]!.id);
    expect(root.children[0]!.outputs[0]!.children[0]!.outputs[0]!.imageId).toBe(second.outputs[0]!.id);
    expect(root.children[1]!.outputs[0]!.imageId).toBe(sibling.outputs[0]!.id);
  });

  it("says which job made the root: none for an upload, the job for a text-to-image result", async () => {
    const upload = await images.ingestImage(await png(), "upload", null);
    const edit = await finishedJob({ inputImageIds: [upload.id], prompt: "an edit" });
    expect((await library.getLineage(edit.outputs[0]!.id)).rootJob).toBeNull();

    const generated = await finishedJob({ prompt: "from words" });
    const child = await finishedJob({ inputImageIds: [generated.outputs[0]!.id], prompt: "its edit" });
    const lineage = await library.getLineage(child.outputs[0]!.id);
    expect(lineage.root.imageId).toBe(generated.outputs[0]!.id);
    expect(lineage.rootJob).toEqual({ jobId: generated.job.id, prompt: "from words" });
  });
});

describe("exports", () => {
  it("embeds the recipe as XMP in a download, and zips outputs with recipes.json", async () => {
    const { job, outputs } = await finishedJob({ prompt: 'A "quoted" <tag> & more', n: 2 });
    const file = await exporter.downloadWithRecipe(outputs[1]!.id);
    const xmp = (await sharp(file.bytes).metadata()).xmp!.toString("utf8");
    expect(xmp).toContain("A &#34;quoted&#34; &#60;tag&#62; &#38; more");
    expect(xmp).toContain(`<atelier:Seed>${job.seed + 1}</atelier:Seed>`);
    expect(file.filename).toBe(`atelier-${job.id}-${outputs[1]!.id}.png`);

    const zip = unzipSync(new Uint8Array(await exporter.exportZip({ ids: [job.id] })));
    expect(Object.keys(zip).sort()).toEqual([...outputs.map((o) => `atelier-${job.id}-${o.id}.png`), "recipes.json"].sort());
    const recipes = JSON.parse(new TextDecoder().decode(zip["recipes.json"]));
    expect(recipes.map((r: { seed: number }) => r.seed)).toEqual([job.seed, job.seed + 1]);
  });
});

describe("who made what", () => {
  type Actor = import("@/lib/actor").Actor;
  let n = 0;
  /** A fresh account (unique per test: accounts outlive beforeEach) and the actor it signs in as. */
  async function person(role: "admin" | "member"): Promise<Actor> {
    const { account } = await (await import("@/lib/accounts")).addAccount({ email: `person${++n}-${role}@studio.test`, role });
    return { accountId: account.id, email: account.email, role, sessionId: null, tokenId: null };
  }
  const submit = (actor: Actor, prompt: string) => jobs.createJob({ provider: "demo", prompt }, actor);
  const listed = async (query: Record<string, string>, actor: Actor) => (await jobs.listJobs(query, actor)).items.map((j) => j.prompt);

  it("names each job's maker, and filters the history by person", async () => {
    const [ann, bob, boss] = [await person("member"), await person("member"), await person("admin")];
    const a = await submit(ann, "ann's");
    await submit(bob, "bob's");
    await submit(boss, "boss's");
    await submit(OPEN_ACTOR, "before accounts");

    expect(a.createdBy).toEqual({ id: ann.accountId, email: ann.email, removed: false });
    expect((await jobs.getJob(a.id))!.createdBy).toEqual(a.createdBy);
    // Without accounts, "me" is what was made without one.
    expect(await listed({ by: "me" }, OPEN_ACTOR)).toEqual(["before accounts"]);
    expect(await listed({ by: "me" }, ann)).toEqual(["ann's"]);
    expect(await listed({ by: bob.accountId! }, ann)).toEqual(["bob's"]);
    expect(await listed({}, ann)).toEqual(["before accounts", "boss's", "bob's", "ann's"]);
    expect((await jobs.listJobs({}, ann)).items.find((j) => j.prompt === "before accounts")!.createdBy).toBeNull();
    for (const by of ["you", "x".repeat(500), "me\u0000", ids.newId().toLowerCase()]) {
      await expect(jobs.listJobs({ by }, ann)).rejects.toMatchObject({ code: "invalid_request" });
    }

    // A removed account's work stays, and says so.
    await (await import("@/lib/accounts")).removeAccount(bob.email);
    expect((await jobs.listJobs({ by: bob.accountId! }, ann)).items[0]!.createdBy).toEqual({ id: bob.accountId, email: bob.email, removed: true });
  });

  it("lets a member delete and cancel only their own jobs, all or nothing; an admin anyone's", async () => {
    const [ann, bob, boss] = [await person("member"), await person("member"), await person("admin")];
    const mine = await submit(ann, "ann's");
    const theirs = await submit(bob, "bob's");
    const nobodys = await submit(OPEN_ACTOR, "before accounts");
    const exists = async (id: string) => (await jobs.getJob(id)) !== null;

    await expect(library.deleteJobs({ ids: [theirs.id] }, ann)).rejects.toMatchObject({ code: "forbidden" });
    await expect(library.deleteJobs({ ids: [mine.id, theirs.id, nobodys.id] }, ann)).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("2 of these 3 jobs are someone else's"),
    });
    expect([await exists(mine.id), await exists(theirs.id), await exists(nobodys.id)]).toEqual([true, true, true]);
    await expect(jobs.cancelJob(theirs.id, ann)).rejects.toMatchObject({ code: "forbidden" });
    await expect(jobs.cancelJob(nobodys.id, ann)).rejects.toMatchObject({ code: "forbidden" });
    expect((await jobs.getJob(theirs.id))!.status).toBe("queued");

    expect((await jobs.cancelJob(mine.id, ann)).status).toBe("canceled");
    expect(await library.deleteJobs({ ids: [mine.id] }, ann)).toMatchObject({ deleted: 1 });
    expect((await jobs.cancelJob(theirs.id, boss)).status).toBe("canceled");
    expect(await library.deleteJobs({ ids: [theirs.id, nobodys.id] }, boss)).toMatchObject({ deleted: 2 });
    expect([await exists(mine.id), await exists(theirs.id), await exists(nobodys.id)]).toEqual([false, false, false]);
  });

  it("names the maker in an export's recipes.json, and not inside the image files", async () => {
    const ann = await person("member");
    const { job, outputs } = await finishedJob();
    await db.job.update({ where: { id: job.id }, data: { accountId: ann.accountId } });
    const zip = unzipSync(new Uint8Array(await exporter.exportZip({ ids: [job.id] })));
    expect(JSON.parse(new TextDecoder().decode(zip["recipes.json"]))[0]).toMatchObject({ jobId: job.id, createdBy: ann.email });
    expect(new TextDecoder().decode(zip[`atelier-${job.id}-${outputs[0]!.id}.png`])).not.toContain(ann.email);
  });
});

describe("ledger", () => {
  it("sums recorded costs per day, provider and model, and counts unpriced jobs", async () => {
    await finishedJob({ provider: "therouter", costUsd: 0.018 });
    await finishedJob({ provider: "therouter", costUsd: 0.036, n: 2 });
    await finishedJob({ provider: "dmxapi", costUsd: null });
    await jobs.createJob({ provider: "demo", prompt: "still queued: not spent" }, OPEN_ACTOR);
    const result = await ledger.getLedger({}, OPEN_ACTOR);
    const today = new Date().toISOString().slice(0, 10);
    const tr = result.rows.find((r) => r.provider === "therouter")!;
    expect(tr).toMatchObject({ day: today, jobs: 2, images: 3, costUsd: 0.054 });
    expect(result.totalUsd).toBe(0.054);
    expect(result.unpricedJobs).toBe(1);
    expect(result.budget.spentThisMonthUsd).toBe(0.054);
  });
});

describe("orphan sweep", () => {
  it("removes outputs no job points at and stray files, and keeps everything in use", async () => {
    const { outputs } = await finishedJob({ prompt: "kept" });
    const upload = await images.ingestImage(await png(), "upload", null);
    const orphan = await images.ingestImage(await png(), "output", null); // stored, then the job was canceled
    const stray = path.join(dataDir, "images", "originals", "zz", "leftover.png.123abc.tmp");
    fs.mkdirSync(path.dirname(stray), { recursive: true });
    fs.writeFileSync(stray, "half-written");
    const { sweepOrphans } = await import("@/lib/maintenance");

    expect(await sweepOrphans(Date.now())).toEqual({ images: 0, files: 0 }); // all younger than an hour
    const later = Date.now() + 2 * 3600_000;
    expect(await sweepOrphans(later)).toEqual({ images: 1, files: 1 });
    expect(await images.readImage(orphan.id, "full")).toBeNull();
    expect(fs.existsSync(stray)).toBe(false);
    expect(await images.readImage(outputs[0]!.id, "full")).not.toBeNull();
    // An upload not used yet may still be about to be: uploads are never swept.
    expect(await images.readImage(upload.id, "thumb")).not.toBeNull();
  });
});
