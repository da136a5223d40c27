/**
 * One table of cases for the domain functions that touch the database, run against SQLite
 * (domain-sqlite.test.ts) and PostgreSQL (domain-postgres.test.ts): both must give these answers.
 * The calling file points DATA_DIR / DATABASE_URL at a migrated database before beforeAll here.
 */
import sharp from "sharp";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, Dialect } from "@/lib/db";
import { searchText } from "@/lib/search-text";
import { OPEN_ACTOR } from "@/lib/actor";

let db: Db;
let jobs: typeof import("@/lib/jobs");
let library: typeof import("@/lib/library");
let ledger: typeof import("@/lib/ledger");
let images: typeof import("@/lib/images");
let throttle: typeof import("@/lib/login-throttle");
let ids: typeof import("@/lib/ids");

let hue = 0;
const png = () => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (hue += 41) % 256, g: 120, b: 60 } } }).png().toBuffer();

/** A job made as the API makes it, then finished as the worker finishes one (outputs stored, row updated). */
async function finishedJob(over: { prompt: string; provider?: string; model?: string; status?: string; inputImageIds?: string[]; n?: number }) {
  const job = await jobs.createJob({ provider: "demo", prompt: over.prompt, inputImageIds: over.inputImageIds, n: over.n }, OPEN_ACTOR);
  const outputs = [];
  for (let i = 0; i < (over.n ?? 1); i++) outputs.push(await images.ingestImage(await png(), "output", null));
  await db.job.update({
    where: { id: job.id },
    data: {
      status: over.status ?? "succeeded",
      finishedAt: new Date(),
      costUsd: 0,
      ...(over.provider && { provider: over.provider }),
      ...(over.model && { model: over.model }),
      outputs: { create: outputs.map((image, position) => ({ imageId: image.id, position, seed: job.seed + position })) },
    },
  });
  return { job: (await jobs.getJob(job.id))!, outputs };
}

const PROMPTS = [
  "Red Fox in snow",
  "a red fox at dawn",
  "100% cotton shirt",
  "snake_case street sign",
  `L'arbre du "vieux" moulin`,
  String.raw`C:\photos\harbour at night`,
  "Кошка на крыше",
  "ПРИВЕТ, МИР",
  "東京の夜景、雨",
  "Café au lait ☕ on a tray",
  "CAFÉ NOIR, ÉCOLE DES BEAUX-ARTS",
  "Straße bei Nacht",
  "ΟΔΟΣ ΣΤΗ ΘΑΛΑΣΣΑ",
  "🎨 palette, 👍🏽 thumbs",
  "50%_off sale: 'quoted' \\ back",
  "x",
];

/** The case rule itself: search text → the prompts it finds (Unicode case-insensitive, wildcards and quotes as typed). */
const SEARCHES: [string, string[]][] = [
  ["fox", ["Red Fox in snow", "a red fox at dawn"]],
  ["RED FOX", ["Red Fox in snow", "a red fox at dawn"]],
  ["%", ["100% cotton shirt", "50%_off sale: 'quoted' \\ back"]],
  ["_", ["snake_case street sign", "50%_off sale: 'quoted' \\ back"]],
  ["f%x", []],
  ["r_d", []],
  ["на КРЫШЕ", ["Кошка на крыше"]],
  ["привет", ["ПРИВЕТ, МИР"]],
  ["café", ["Café au lait ☕ on a tray", "CAFÉ NOIR, ÉCOLE DES BEAUX-ARTS"]],
  ["école", ["CAFÉ NOIR, ÉCOLE DES BEAUX-ARTS"]],
  ["cafe", []],
  ["STRASSE", ["Straße bei Nacht"]],
  ["οδος", ["ΟΔΟΣ ΣΤΗ ΘΑΛΑΣΣΑ"]],
  ["no such prompt", []],
];

/**
 * Queries of every awkward kind (wildcards, quotes, backslashes, 1–2 characters, other scripts,
 * emoji, accented capitals), each answered as a plain substring filter over the folded prompts would.
 */
const QUERIES = [
  ...SEARCHES.map(([q]) => q),
  "0% c", "e_c", "'", `"vieux"`, `"`, "\\", "c:\\PHOTOS", "%_", "50%_OFF", "'quoted' \\",
  "a", "X", "r", "ar", "%%", "__", "é", "É", "ÉC", "ß", "σ", "ς",
  "東", "東京", "夜景、雨", "☕", "🎨", "👍🏽", "🎨 p", "Ш", "МИР", "ΘΑΛΑΣΣΑ", "ΣΣ", " ", "  ", ", ",
];

/** Every id `listJobs` gives for `query`, `limit` at a time, following the cursor. */
async function walk(query: Record<string, string>, limit: number): Promise<string[]> {
  const walked: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof jobs.listJobs>> = await jobs.listJobs({ ...query, limit: String(limit), ...(cursor && { cursor }) });
    walked.push(...page.items.map((j) => j.id));
    cursor = page.nextCursor;
  } while (cursor);
  return walked;
}

export function domainCases(expected: Dialect): void {
  beforeAll(async () => {
    const dbModule = await import("@/lib/db");
    db = dbModule.db();
    expect(dbModule.dialect()).toBe(expected);
    jobs = await import("@/lib/jobs");
    library = await import("@/lib/library");
    ledger = await import("@/lib/ledger");
    images = await import("@/lib/images");
    throttle = await import("@/lib/login-throttle");
    ids = await import("@/lib/ids");
  });

  beforeEach(async () => {
    await db.jobOutput.deleteMany();
    await db.jobInput.deleteMany();
    await db.job.deleteMany();
    await db.image.deleteMany();
    await db.loginAttempt.deleteMany();
  });

  describe(`domain on ${expected}`, () => {
    it("keeps a job's inputs, outputs, seeds, times and lineage as created through the API path", async () => {
      const upload = await images.ingestImage(await png(), "upload", null);
      const before = Date.now();
      const { job, outputs } = await finishedJob({ prompt: "make it blue", inputImageIds: [upload.id], n: 2 });
      expect(job).toMatchObject({ mode: "edit", status: "succeeded", prompt: "make it blue", n: 2 });
      expect(job.inputs.map((i) => i.imageId)).toEqual([upload.id]);
      expect(job.outputs.map((o) => [o.imageId, o.seed])).toEqual(outputs.map((o, i) => [o.id, job.seed + i]));
      // Stored in UTC and read back as the same instant, whatever zone the database server runs in.
      expect(Date.parse(job.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(job.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);

      const child = await finishedJob({ prompt: "now red", inputImageIds: [outputs[1]!.id] });
      const lineage = await library.getLineage(child.outputs[0]!.id);
      expect(lineage.root.imageId).toBe(upload.id);
      expect(lineage.root.children.map((c) => c.jobId)).toEqual([job.id]);
      expect(lineage.root.children[0]!.outputs[1]!.children.map((c) => c.jobId)).toEqual([child.job.id]);

      const batch = await jobs.createBatch({ recipe: { provider: "demo", prompt: "a vase", seed: 5 }, variations: 3 }, OPEN_ACTOR);
      expect(new Set(batch.jobs.map((j) => j.seed)).size).toBe(3);
      expect((await jobs.getBatch(batch.batchId)).map((j) => j.id)).toEqual(batch.jobs.map((j) => j.id));

      // Deleting the parent job keeps the output the child still edits, and drops the upload only it used.
      expect(await library.deleteJobs({ ids: [job.id] }, OPEN_ACTOR)).toEqual({ deleted: 1, imagesRemoved: 2 });
      expect(await images.readImage(upload.id, "full")).toBeNull();
      expect(await images.readImage(outputs[1]!.id, "full")).not.toBeNull();
    });

    it("reads jobs with their mask, inputs and outputs exactly as a Prisma include does, in the order asked", async () => {
      const { jobInclude, readJobs } = await import("@/lib/job-rows");
      const a = await images.ingestImage(await png(), "upload", null);
      const b = await images.ingestImage(await png(), "upload", null);
      const mask = await images.ingestImage(await png(), "upload", null);
      const two = await finishedJob({ prompt: "two inputs, three outputs", inputImageIds: [a.id], n: 3 });
      await db.jobInput.create({ data: { jobId: two.job.id, imageId: b.id, position: 1 } }); // a provider taking several images
      const masked = await finishedJob({ prompt: "a region", inputImageIds: [b.id] });
      await db.job.update({ where: { id: masked.job.id }, data: { maskImageId: mask.id, regionX: 1, regionY: 2, regionWidth: 30, regionHeight: 20 } });
      // Values a text round trip could bend: long fractions, a lease time, notes with quotes and emoji.
      await db.jobOutput.update({ where: { jobId_position: { jobId: two.job.id, position: 1 } }, data: { changeFraction: 0.123456789012345, changeOutsideMask: 1e-7 } });
      await db.job.update({ where: { id: two.job.id }, data: { costUsd: 0.0123, leaseExpiresAt: new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 6)), errorDetail: 'say "hi" 👋\n' } });
      await db.image.update({ where: { id: b.id }, data: { favorite: true, note: `a "quoted" note, 東京 🎨` } });
      const plain = await finishedJob({ prompt: "text only" });
      const queued = await jobs.createJob({ provider: "demo", prompt: "still queued" }, OPEN_ACTOR);
      const ids = [plain.job.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", two.job.id, queued.id, masked.job.id];
      const included = await db.job.findMany({ where: { id: { in: ids } }, include: jobInclude });
      const expected = ids.flatMap((id) => included.filter((row) => row.id === id));
      expect(expected).toHaveLength(4);
      expect(await readJobs(ids)).toEqual(expected);
      expect((await readJobs([two.job.id]))[0]!.inputs.map((i) => i.image.id)).toEqual([a.id, b.id]);
      expect(await readJobs([])).toEqual([]);
    });

    it("finds prompts by literal, Unicode case-insensitive text, as a substring filter would, alone, with other filters and page by page", async () => {
      const made = [];
      for (const [i, prompt] of PROMPTS.entries()) {
        made.push((await finishedJob({ prompt, status: i % 3 === 0 ? "failed" : "succeeded", ...(i % 4 === 0 && { provider: "therouter" }) })).job);
      }
      const newestFirst = made.reverse();
      for (const [q, found] of SEARCHES) {
        const prompts = (await jobs.listJobs({ q, limit: "100" })).items.map((j) => j.prompt);
        expect({ q, prompts: prompts.sort() }).toEqual({ q, prompts: [...found].sort() });
      }
      for (const q of QUERIES) {
        const needle = searchText(q.trim());
        const matching = newestFirst.filter((job) => searchText(job.prompt).includes(needle));
        const ids = (list: typeof newestFirst) => list.map((job) => job.id);
        expect({ q, ids: await walk({ q }, 2) }).toEqual({ q, ids: ids(matching) });
        expect({ q, ids: await walk({ q, sort: "oldest" }, 3) }).toEqual({ q, ids: ids(matching).reverse() });
        expect({ q, ids: await walk({ q, status: "failed" }, 2) }).toEqual({ q, ids: ids(matching.filter((job) => job.status === "failed")) });
        expect({ q, ids: await walk({ q, provider: "therouter" }, 1) }).toEqual({ q, ids: ids(matching.filter((job) => job.provider === "therouter")) });
      }
    });

    it("finds a word in over a thousand prompts and a rare one among them the same way, with filters and paging", async () => {
      // Past the index's limit for one lookup on SQLite, so both of its ways are taken.
      const start = Date.now() - 3_600_000;
      const rows = Array.from({ length: 1_050 }, (_, i) => {
        const prompt = i % 70 === 0 ? `A LIGHTHOUSE at dusk ${i}` : `a harbour at dusk ${i}`;
        const id = ids.newId(start + i * 1000);
        return { id, provider: i % 2 ? "demo" : "therouter", model: "demo", mode: "generate", prompt, promptSearch: searchText(prompt), aspectRatio: "1:1", seed: i, n: 1, status: i % 5 ? "succeeded" : "failed" };
      });
      await db.job.createMany({ data: rows });
      const newestFirst = [...rows].reverse();
      for (const [q, filters] of [["dusk", {}], ["HARBOUR", { status: "failed" }], ["lighthouse", {}], ["lighthouse", { provider: "therouter" }], ["dusk 1", { status: "failed" }], ["nowhere", {}]] as const) {
        const needle = searchText(q);
        const matching = newestFirst.filter((row) => row.promptSearch.includes(needle) && Object.entries(filters).every(([key, value]) => row[key as "status"] === value));
        const firstPage = await jobs.listJobs({ q, ...filters, limit: "30" });
        expect(firstPage.items.map((j) => j.id)).toEqual(matching.slice(0, 30).map((row) => row.id));
        if (matching.length <= 200) expect(await walk({ q, ...filters }, 7)).toEqual(matching.map((row) => row.id));
      }
    });

    it("folds the prompts of jobs saved before the search column at start, once", async () => {
      const { foldOldPrompts } = await import("@/lib/prompt-search");
      const old = await finishedJob({ prompt: "ÉCLAIR au Chocolat" });
      await finishedJob({ prompt: "plain" });
      await db.job.update({ where: { id: old.job.id }, data: { promptSearch: "" } });
      expect((await jobs.listJobs({ q: "éclair" })).items).toEqual([]);
      expect(await foldOldPrompts()).toBe(1);
      expect(await foldOldPrompts()).toBe(0);
      expect((await jobs.listJobs({ q: "ÉCLAIR AU" })).items.map((j) => j.id)).toEqual([old.job.id]);
      await library.deleteJobs({ ids: [old.job.id] }, OPEN_ACTOR);
      expect((await jobs.listJobs({ q: "éclair" })).items).toEqual([]);
      // SQLite's index follows the rows through triggers: it must still describe them exactly.
      if (expected === "sqlite") await db.$executeRawUnsafe(`INSERT INTO "JobSearch" ("JobSearch", rank) VALUES ('integrity-check', 1)`);
    });

    it("filters the gallery by status, provider, model, mode, favourite and day, and pages both ways", async () => {
      const a = await finishedJob({ prompt: "alpha" });
      const b = await finishedJob({ prompt: "beta", inputImageIds: [a.outputs[0]!.id] });
      const c = await finishedJob({ prompt: "gamma", provider: "therouter", model: "black-forest-labs/flux-kontext-dev" });
      const d = await finishedJob({ prompt: "delta", status: "failed" });
      await library.updateImageMeta(b.outputs[0]!.id, { favorite: true });
      const list = async (query: Record<string, string>) => (await jobs.listJobs(query)).items.map((j) => j.id);

      expect(await list({})).toEqual([d.job.id, c.job.id, b.job.id, a.job.id]);
      expect(await list({ status: "failed" })).toEqual([d.job.id]);
      expect(await list({ provider: "therouter" })).toEqual([c.job.id]);
      expect(await list({ model: "therouter:black-forest-labs/flux-kontext-dev" })).toEqual([c.job.id]);
      expect(await list({ mode: "edit" })).toEqual([b.job.id]);
      expect(await list({ favorite: "1" })).toEqual([b.job.id]);
      const today = new Date().toISOString().slice(0, 10);
      expect(await list({ from: today, to: today })).toHaveLength(4);
      expect(await list({ to: "2020-01-01" })).toEqual([]);

      for (const sort of ["newest", "oldest"]) {
        const walked: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof jobs.listJobs>> = await jobs.listJobs({ sort, limit: "3", ...(cursor && { cursor }) });
          walked.push(...page.items.map((j) => j.id));
          cursor = page.nextCursor;
        } while (cursor);
        const newestFirst = [d.job.id, c.job.id, b.job.id, a.job.id];
        expect(walked).toEqual(sort === "newest" ? newestFirst : newestFirst.reverse());
      }
    });

    it("filters the gallery by person and names each job's maker", async () => {
      const accounts = await import("@/lib/accounts");
      const suffix = ids.newId().toLowerCase();
      const member = async (name: string) => {
        const { account } = await accounts.addAccount({ email: `${name}-${suffix}@studio.test` });
        return { accountId: account.id, email: account.email, role: "member" as const, sessionId: null, tokenId: null };
      };
      const [ann, bob] = [await member("ann"), await member("bob")];
      const mine = await jobs.createJob({ provider: "demo", prompt: "ann's" }, ann);
      const theirs = await jobs.createJob({ provider: "demo", prompt: "bob's" }, bob);
      const before = await jobs.createJob({ provider: "demo", prompt: "before accounts" }, OPEN_ACTOR);
      const list = async (query: Record<string, string>) => (await jobs.listJobs(query, ann)).items;

      expect((await list({ by: "me" })).map((j) => j.id)).toEqual([mine.id]);
      expect((await list({ by: bob.accountId })).map((j) => j.id)).toEqual([theirs.id]);
      expect((await jobs.listJobs({ by: "me" }, OPEN_ACTOR)).items.map((j) => j.id)).toContain(before.id);
      const all = await list({});
      expect(all.find((j) => j.id === mine.id)!.createdBy).toEqual({ id: ann.accountId, email: ann.email, removed: false });
      expect(all.find((j) => j.id === before.id)!.createdBy).toBeNull();
      await expect(library.deleteJobs({ ids: [mine.id, theirs.id] }, ann)).rejects.toMatchObject({ code: "forbidden" });
      expect((await list({})).map((j) => j.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    });

    it("sums the ledger per UTC day, provider and model, and the month's spend for the budget", async () => {
      const now = Date.UTC(2026, 5, 20, 12);
      const at = (iso: string) => Date.parse(iso);
      // History as the worker leaves it: the id and createdAt come from the same moment.
      const seed = async (iso: string, provider: string, model: string, costUsd: number | null, outputs: number, status = "succeeded") => {
        const upload = await images.ingestImage(await png(), "output", null);
        await db.job.create({
          data: {
            // That moment's time part and a fresh random part (newId never goes back in time).
            id: ids.idFloor(at(iso)).slice(0, 10) + ids.newId().slice(10),
            createdAt: new Date(at(iso)),
            provider,
            model,
            mode: "generate",
            prompt: "history",
            promptSearch: "history",
            aspectRatio: "1:1",
            seed: 1,
            n: outputs,
            status,
            costUsd,
            outputs: { create: Array.from({ length: outputs }, (_, position) => ({ imageId: upload.id, position })) },
          },
        });
      };
      await seed("2026-05-31T23:59:59.900Z", "therouter", "black-forest-labs/flux-kontext-dev", 0.5, 1);
      await seed("2026-06-01T00:00:00.100Z", "therouter", "black-forest-labs/flux-kontext-dev", 0.018, 1);
      await seed("2026-06-01T18:30:00.000Z", "therouter", "black-forest-labs/flux-kontext-dev", 0.036, 2);
      await seed("2026-06-01T19:00:00.000Z", "therouter", "Black-Forest-Labs/FLUX", 0.01, 1);
      await seed("2026-06-01T20:00:00.000Z", "dmxapi", "flux-kontext-pro", null, 1);
      await seed("2026-06-01T21:00:00.000Z", "dmxapi", "flux-kontext-pro", 0.04, 1, "failed");
      await seed("2026-06-19T23:59:59.999Z", "demo", "demo", 0, 3);

      const result = await ledger.getLedger({ from: "2026-05-31", to: "2026-06-19" }, OPEN_ACTOR, now);
      expect(result.rows).toEqual([
        { day: "2026-05-31", provider: "therouter", model: "black-forest-labs/flux-kontext-dev", jobs: 1, images: 1, costUsd: 0.5 },
        { day: "2026-06-01", provider: "dmxapi", model: "flux-kontext-pro", jobs: 1, images: 1, costUsd: 0 },
        // Byte order: upper case before lower case.
        { day: "2026-06-01", provider: "therouter", model: "Black-Forest-Labs/FLUX", jobs: 1, images: 1, costUsd: 0.01 },
        { day: "2026-06-01", provider: "therouter", model: "black-forest-labs/flux-kontext-dev", jobs: 2, images: 3, costUsd: 0.054 },
        { day: "2026-06-19", provider: "demo", model: "demo", jobs: 1, images: 3, costUsd: 0 },
      ]);
      expect(result.totalUsd).toBe(0.564);
      expect(result.unpricedJobs).toBe(1);
      // June only: the job a tenth of a second before midnight on 31 May is last month's.
      expect(result.budget.spentThisMonthUsd).toBe(0.064);
      expect((await ledger.getLedger({ from: "2026-06-02", to: "2026-06-18" }, OPEN_ACTOR, now)).rows).toEqual([]);
    });

    it("splits the ledger per person and holds each person to their own monthly limit, unfinished jobs included", async () => {
      const budgets = await import("@/lib/budgets");
      await db.account.deleteMany({ where: { email: { endsWith: "@split.test" } } });
      const now = Date.UTC(2026, 5, 20, 12);
      const person = async (email: string, budgetUsd: number | null) =>
        db.account.create({ data: { id: ids.newId(), email, role: "member", passwordHash: "x", budgetUsd } });
      const mia = await person("mia@split.test", 0.08);
      const max = await person("max@split.test", null);
      const seed = async (iso: string, accountId: string | null, costUsd: number | null, outputs: number, status = "succeeded") => {
        const upload = await images.ingestImage(await png(), "output", null);
        await db.job.create({
          data: {
            id: ids.idFloor(Date.parse(iso)).slice(0, 10) + ids.newId().slice(10),
            createdAt: new Date(iso),
            provider: accountId ? "therouter" : "demo",
            model: accountId ? "black-forest-labs/flux-kontext-dev" : "demo",
            mode: "generate",
            prompt: "split",
            promptSearch: "split",
            aspectRatio: "1:1",
            seed: 1,
            n: outputs,
            status,
            costUsd,
            accountId,
            outputs: { create: status === "succeeded" ? Array.from({ length: outputs }, (_, position) => ({ imageId: upload.id, position })) : [] },
          },
        });
      };
      await seed("2026-05-31T23:59:59.900Z", mia.id, 0.5, 1); // last month: in the range, not in June's spend
      await seed("2026-06-01T00:00:00.100Z", mia.id, 0.018, 1);
      await seed("2026-06-10T09:00:00.000Z", mia.id, 0.018, 1);
      await seed("2026-06-19T10:00:00.000Z", mia.id, null, 1, "queued");
      await seed("2026-06-02T10:00:00.000Z", max.id, 0.036, 2);
      await seed("2026-06-03T10:00:00.000Z", null, 0, 3);

      const result = await ledger.getLedger({ from: "2026-05-31", to: "2026-06-19" }, OPEN_ACTOR, now);
      expect(result.people).toEqual([
        { accountId: mia.id, email: "mia@split.test", jobs: 3, images: 3, costUsd: 0.536 },
        { accountId: max.id, email: "max@split.test", jobs: 1, images: 2, costUsd: 0.036 },
        { accountId: null, email: null, jobs: 1, images: 3, costUsd: 0 },
      ]);
      expect(result.people.reduce((sum, p) => sum + p.costUsd, 0)).toBeCloseTo(result.totalUsd, 6);

      const miaActor = { ...OPEN_ACTOR, accountId: mia.id, email: mia.email, role: "member" as const };
      // June: two succeeded jobs ($0.036) and a queued one estimated at the catalog's $0.018.
      expect(await ledger.budgetStatus(miaActor, now)).toEqual({ monthlyUsd: 0.08, spentThisMonthUsd: 0.036, scope: "person", pendingUsd: 0.018 });
      const one = { provider: "therouter", model: "black-forest-labs/flux-kontext-dev", n: 1 };
      await budgets.checkBudget(miaActor, [one], now); // $0.072 of $0.08
      await expect(budgets.checkBudget(miaActor, [one, one], now)).rejects.toMatchObject({
        code: "budget_exceeded",
        message: expect.stringContaining("monthly limit of $0.08: $0.026 is left this month"),
      });
      await budgets.checkBudget(miaActor, [{ provider: "demo", model: "demo", n: 4 }], now); // free
      // No limit of his own and no ATELIER_BUDGET_USD_PER_USER; and no accounts means no per-person limit.
      await budgets.checkBudget({ ...miaActor, accountId: max.id, email: max.email }, [one, one, one, one, one, one], now);
      await budgets.checkBudget(OPEN_ACTOR, [one, one, one, one, one, one], now);
      expect(await budgets.spendByAccount(now)).toEqual(new Map([[mia.id, 0.036], [max.id, 0.036], [null, 0]]));
      await db.job.deleteMany();
      await db.account.deleteMany({ where: { email: { endsWith: "@split.test" } } });
    });

    it("throttles sign-ins after five failures within ten minutes, by time stored in the database", async () => {
      const start = Date.UTC(2026, 5, 20, 12);
      for (let i = 0; i < 5; i++) await throttle.recordLoginFailure("203.0.113.7", start + i * 1000);
      expect(await throttle.loginBlockedFor("203.0.113.7", start + 5000)).toBe(10 * 60_000 - 5000);
      expect(await throttle.loginBlockedFor("198.51.100.1", start + 5000)).toBe(0);
      expect(await throttle.loginBlockedFor("203.0.113.7", start + 10 * 60_000 + 1)).toBe(0);
    });
  });
}
