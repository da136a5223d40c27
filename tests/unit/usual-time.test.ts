import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useFreshDataDir } from "../support/test-db";
import { isSlow } from "@/lib/client/jobs";
import type { Db } from "@/lib/db";

/** How long a model usually takes: the 90th percentile of its latest successes, else a typical time. */

useFreshDataDir();
let db: Db;
let usual: typeof import("@/lib/usual-time");
let ids: typeof import("@/lib/ids");

beforeAll(async () => {
  db = (await import("@/lib/db")).db();
  usual = await import("@/lib/usual-time");
  ids = await import("@/lib/ids");
});

beforeEach(async () => {
  await db.job.deleteMany();
});

let clock = Date.UTC(2026, 0, 1);

/** A finished job on provider/model that ran `seconds`, newer than every one before it. */
async function ran(seconds: number, opts: { provider?: string; model?: string; status?: string } = {}) {
  clock += 60_000;
  await db.job.create({
    data: {
      id: ids.newId(clock),
      provider: opts.provider ?? "therouter",
      model: opts.model ?? "black-forest-labs/flux-kontext-dev",
      mode: "generate",
      prompt: "a red chair",
      promptSearch: "a red chair",
      aspectRatio: "1:1",
      seed: 1,
      n: 1,
      status: opts.status ?? "succeeded",
      createdAt: new Date(clock),
      startedAt: new Date(clock),
      finishedAt: new Date(clock + seconds * 1000),
    },
  });
}

const KEY = "therouter\u0000black-forest-labs/flux-kontext-dev";

describe("historyP90", () => {
  it("is the 90th percentile (nearest rank) of the running times", async () => {
    for (const s of [10, 12, 14, 16, 18, 20, 22, 24, 26, 90]) await ran(s);
    expect((await usual.historyP90(db)).get(KEY)).toBe(26_000);
  });

  it("needs a minimum sample, and counts only successes", async () => {
    for (let i = 0; i < usual.MIN_SAMPLE - 1; i++) await ran(20);
    await ran(300, { status: "failed" });
    await ran(300, { status: "canceled" });
    expect((await usual.historyP90(db)).has(KEY)).toBe(false);
    await ran(20);
    expect((await usual.historyP90(db)).get(KEY)).toBe(20_000);
  });

  it("follows the latest jobs: a provider that got faster is judged by its recent times", async () => {
    for (let i = 0; i < 60; i++) await ran(120);
    for (let i = 0; i < 50; i++) await ran(15);
    expect((await usual.historyP90(db)).get(KEY)).toBe(15_000);
  });

  it("keeps providers and models apart", async () => {
    for (let i = 0; i < 5; i++) {
      await ran(10);
      await ran(40, { model: "black-forest-labs/flux-kontext-pro" });
      await ran(2, { provider: "demo", model: "demo" });
    }
    const p90 = await usual.historyP90(db);
    expect(p90.get(KEY)).toBe(10_000);
    expect(p90.get("therouter\u0000black-forest-labs/flux-kontext-pro")).toBe(40_000);
    expect(p90.get("demo\u0000demo")).toBe(2000);
  });
});

describe("usualTime", () => {
  it("uses history when there is enough, else the provider's typical time", () => {
    const p90 = new Map([[KEY, 26_000]]);
    expect(usual.usualTime(p90, "therouter", "black-forest-labs/flux-kontext-dev")).toEqual({ ms: 26_000, from: "history" });
    const fallback = usual.usualTime(p90, "therouter", "black-forest-labs/flux-kontext-pro");
    expect(fallback.from).toBe("catalog");
    expect(fallback.ms).toBeGreaterThan(0);
  });
});

describe("isSlow", () => {
  it("says slow only well past the usual time", () => {
    expect(isSlow(30_000, 30_000)).toBe(false);
    expect(isSlow(44_000, 30_000)).toBe(false);
    expect(isSlow(46_000, 30_000)).toBe(true);
    // A quick model is not "slow" a second late.
    expect(isSlow(2500, 1000)).toBe(false);
    expect(isSlow(6500, 1000)).toBe(true);
  });
});
