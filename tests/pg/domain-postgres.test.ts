// The shared domain cases on a throwaway PostgreSQL (their SQLite run: domain-sqlite.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshPostgres, type PostgresCluster } from "../support/postgres";
import { domainCases } from "./domain-cases";

let cluster: PostgresCluster | undefined;
beforeAll(async () => {
  ({ cluster } = await useFreshPostgres());
});
afterAll(async () => {
  // The client first, or its pooled connections report the server going away.
  await (await import("@/lib/db")).db().$disconnect();
  await cluster?.stop();
});

domainCases("postgresql");

describe("PostgreSQL restarts", () => {
  it("a request while the database is down fails at once, and the next one after its restart works", async () => {
    const { listJobs } = await import("@/lib/jobs");
    await listJobs({}); // connections in the pool, to be cut by the restart
    let failedWhileDown: unknown;
    await cluster!.restart(0, async () => {
      failedWhileDown = await listJobs({}).then(() => undefined, (error: unknown) => error);
    });
    expect(failedWhileDown).toBeInstanceOf(Error);
    expect((await listJobs({})).items).toEqual([]);
  });
});
