import { afterEach, describe, expect, it, vi } from "vitest";
import { CATALOG, PROVIDER_IDS } from "@/lib/catalog";

describe("<PROVIDER>_CONCURRENCY", () => {
  const names = ["THEROUTER_CONCURRENCY", "DMXAPI_CONCURRENCY"];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  /** A fresh lib/env, which reads the environment once. */
  async function limits(settings: Record<string, string | undefined>) {
    for (const name of names) delete process.env[name];
    Object.assign(process.env, settings);
    vi.resetModules();
    return (await import("@/lib/env")).env().concurrency;
  }

  it("defaults to each provider's limit in the catalog", async () => {
    expect(await limits({})).toEqual(Object.fromEntries(PROVIDER_IDS.map((id) => [id, CATALOG[id].concurrency])));
  });

  it("sets one provider's limit and leaves the others", async () => {
    const set = await limits({ THEROUTER_CONCURRENCY: "9", DMXAPI_CONCURRENCY: "1" });
    expect(set).toMatchObject({ therouter: 9, dmxapi: 1, quickrouter: CATALOG.quickrouter.concurrency });
  });

  it("refuses a limit that is not a whole number of at least 1, naming the setting", async () => {
    for (const value of ["0", "many", "2.5"]) {
      await expect(limits({ THEROUTER_CONCURRENCY: value })).rejects.toThrow(/THEROUTER_CONCURRENCY/);
    }
  });
});
