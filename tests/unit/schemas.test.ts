import { describe, expect, it } from "vitest";
import { createJobSchema, firstIssue, listJobsSchema } from "@/lib/schemas";
import { kontextSize, nearestRatio, resolveRatio } from "@/lib/sizes";
import { newId } from "@/lib/ids";

describe("createJobSchema (shared by the form and the API)", () => {
  const ok = { provider: "demo", prompt: "make it blue" };

  it("accepts a minimal and a full request", () => {
    expect(createJobSchema.safeParse(ok).success).toBe(true);
    const full = { ...ok, model: "demo", aspectRatio: "16:9", seed: 0, n: 2, inputImageIds: [newId()] };
    expect(createJobSchema.parse(full)).toEqual(full);
  });

  it.each([
    ["empty prompt", { ...ok, prompt: "   " }, "prompt"],
    ["prompt too long", { ...ok, prompt: "x".repeat(4001) }, "prompt"],
    ["control characters", { ...ok, prompt: "a\u0000b" }, "prompt"],
    ["unknown provider", { ...ok, provider: "midjourney" }, "provider"],
    ["bad ratio", { ...ok, aspectRatio: "7:3" }, "aspectRatio"],
    ["negative seed", { ...ok, seed: -1 }, "seed"],
    ["float seed", { ...ok, seed: 1.5 }, "seed"],
    ["huge seed", { ...ok, seed: 2 ** 40 }, "seed"],
    ["n of zero", { ...ok, n: 0 }, "n"],
    ["malformed image id", { ...ok, inputImageIds: ["../etc/passwd"] }, "inputImageIds"],
    ["unknown field", { ...ok, steps: 20 }, ""],
  ])("rejects %s and names the field", (_name, body, field) => {
    const result = createJobSchema.safeParse(body);
    expect(result.success).toBe(false);
    if (!result.success && field) expect(firstIssue(result.error)).toMatch(new RegExp(`^${field}`));
  });

  it("trims the prompt", () => {
    expect(createJobSchema.parse({ ...ok, prompt: "  hi  " }).prompt).toBe("hi");
  });

  it("gives list queries sane defaults and bounds", () => {
    expect(listJobsSchema.parse({}).limit).toBe(30);
    expect(listJobsSchema.safeParse({ limit: "1000" }).success).toBe(false);
    expect(listJobsSchema.parse({ q: "  " }).q).toBeUndefined();
  });
});

describe("Kontext sizes", () => {
  it("uses BFL's published sizes and swaps them for portrait", () => {
    expect(kontextSize("1:1")).toEqual({ width: 1024, height: 1024 });
    expect(kontextSize("16:9")).toEqual({ width: 1392, height: 752 });
    expect(kontextSize("9:16")).toEqual({ width: 752, height: 1392 });
    expect(kontextSize("21:9")).toEqual({ width: 1568, height: 672 });
    expect(kontextSize("2:3")).toEqual({ width: 832, height: 1248 });
  });

  it("keeps unlisted ratios near one megapixel with sides divisible by 16", () => {
    for (const ratio of ["4:5", "5:4", "2:1", "1:2"] as const) {
      const { width, height } = kontextSize(ratio);
      expect(width % 16).toBe(0);
      expect(height % 16).toBe(0);
      expect(Math.abs((width * height) / 2 ** 20 - 1)).toBeLessThan(0.1);
    }
  });

  it("matches an input to the nearest allowed ratio", () => {
    expect(nearestRatio(1600, 900)).toBe("16:9");
    expect(nearestRatio(3000, 4000)).toBe("3:4");
    expect(nearestRatio(1000, 1010, ["1:1", "16:9"])).toBe("1:1");
    expect(resolveRatio("match_input", { width: 900, height: 1600 }, ["match_input", "1:1", "9:16"])).toBe("9:16");
    expect(resolveRatio("match_input", undefined)).toBe("1:1");
    expect(resolveRatio("3:2", { width: 10, height: 10 })).toBe("3:2");
  });
});

describe("ids", () => {
  it("sort in creation order, even within one millisecond", () => {
    const ids = Array.from({ length: 1000 }, () => newId(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(newId(1_700_000_000_001) > ids[999]!).toBe(true);
  });
});
