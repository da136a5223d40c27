/**
 * Team mode against a real server: per-person monthly limits (a submit that would pass one is
 * refused with what is left, and nothing is made; an admin raises it), the ledger's split per
 * person, and the admins' accounts API (members refused; add, reset, remove, roles, limits).
 * Accounts are written into the server's SQLite database before it starts, as `npm run user`
 * would leave them, and people sign in through the real form post.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";
import { hashPassword } from "@/lib/passwords";
import { fakeProvidersEnv } from "../support/provider-env";
import { fakeTheRouter, type TheRouterFake } from "../support/provider-fakes";
import { migrate, startServer, type TestServer } from "../support/server";
import { until } from "../support/wait";

const KEY = "tr-team-key";
const PRICED = { provider: "therouter", model: "black-forest-labs/flux-kontext-dev" }; // $0.018 per image
const PASSWORD = "a long team passphrase 7";
const PEOPLE = { ada: "admin", mia: "member", max: "member", rex: "member", zoe: "member" } as const;
type Person = keyof typeof PEOPLE;

let server: TestServer;
let fake: TheRouterFake;
const ids = {} as Record<Person, string>;
const cookies = {} as Record<Person, string>;

beforeAll(async () => {
  fake = await fakeTheRouter({ key: KEY, pollsUntilDone: 1 });
  const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "atelier-team-"));
  migrate(dataDir);
  const db = new Database(path.join(dataDir, "atelier.db"));
  const hash = await hashPassword(PASSWORD);
  const now = new Date().toISOString().replace("Z", "+00:00"); // as Prisma's SQLite adapter writes dates
  for (const [name, role] of Object.entries(PEOPLE)) {
    ids[name as Person] = newId();
    db.prepare(`INSERT INTO "Account" (id, email, role, "passwordHash", "createdAt") VALUES (?, ?, ?, ?, ?)`).run(ids[name as Person], `${name}@team.test`, role, hash, now);
  }
  db.close();
  server = await startServer({
    dataDir,
    ownsDataDir: true,
    readyPath: "/login",
    env: { ...fakeProvidersEnv({ therouter: KEY }, fake.url), ATELIER_BUDGET_USD_PER_USER: "0.05", DEMO_DELAY_MS: "100" },
  });
  for (const name of Object.keys(PEOPLE) as Person[]) cookies[name] = await signIn(name);
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

async function signIn(name: Person): Promise<string> {
  const res = await fetch(`${server.url}/api/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: `${name}@team.test`, password: PASSWORD }).toString(),
  });
  await res.arrayBuffer();
  const line = res.headers.getSetCookie().find((c) => c.startsWith("atelier_session="));
  expect(res.headers.get("location")).toBe("/");
  return /^atelier_session=([^;]*)/.exec(line!)![1]!;
}

const as = (name: Person, urlPath: string, init: RequestInit & { json?: unknown } = {}) => {
  const { json, ...rest } = init;
  return fetch(`${server.url}${urlPath}`, {
    redirect: "manual",
    ...rest,
    headers: { cookie: `atelier_session=${cookies[name]}`, ...(json !== undefined && { "content-type": "application/json" }), ...rest.headers },
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });
};
async function call(name: Person, urlPath: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await as(name, urlPath, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const submit = (name: Person, prompt: string, recipe: object = PRICED) => call(name, "/api/jobs", { method: "POST", json: { ...recipe, prompt } });
const jobCount = async () => (await call("ada", "/api/jobs?limit=100")).body.items.length as number;
const jobStatus = async (name: Person, id: string) => (await call(name, `/api/jobs/${id}`)).body.status as string;
const team = async () => (await call("ada", "/api/accounts")).body as { accounts: any[]; defaultLimitUsd: number | null };

describe("per-person monthly limits", () => {
  it("refuses a submit that would pass a person's limit, with what is left, and lets an admin raise it", async () => {
    // Mia spends $0.018 for real, then holds $0.018 more in a job the provider has not finished.
    const first = await submit("mia", "a paid lighthouse");
    expect(first.status).toBe(201);
    await until("mia's first job to succeed", async () => (await jobStatus("mia", first.body.id)) === "succeeded");
    fake.holding = true;
    const second = await submit("mia", "a paid harbour");
    expect(second.status).toBe(201);

    const before = await jobCount();
    const refused = await submit("mia", "one too many");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("budget_exceeded");
    expect(refused.body.error.message).toContain("monthly limit of $0.05: $0.014 is left this month");
    const batch = await call("mia", "/api/jobs/batch", { method: "POST", json: { recipe: { ...PRICED, prompt: "many" }, variations: 2 } });
    expect(batch.status).toBe(403);
    expect(batch.body.error.code).toBe("budget_exceeded");
    expect(await jobCount()).toBe(before);
    expect(fake.submissions("one too many")).toHaveLength(0);

    // A free job passes no limit, and another person's spend is their own.
    expect((await submit("mia", "a free sketch", { provider: "demo" })).status).toBe(201);
    expect((await submit("max", "max's paid job")).status).toBe(201);

    // The studio's budget line shows her own limit and spend.
    const ledger = await call("mia", "/api/ledger");
    expect(ledger.body.budget).toEqual({ monthlyUsd: 0.05, spentThisMonthUsd: 0.018, scope: "person", pendingUsd: 0.018 });

    // An admin raises her limit: the same submit goes through at once.
    const raised = await call("ada", `/api/accounts/${ids.mia}`, { method: "PATCH", json: { budgetUsd: 0.1 } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ id: ids.mia, email: "mia@team.test", budgetUsd: 0.1 });
    expect((await submit("mia", "one too many")).status).toBe(201);
    // Back to the default: refused again.
    expect((await call("ada", `/api/accounts/${ids.mia}`, { method: "PATCH", json: { budgetUsd: null } })).body.budgetUsd).toBeNull();
    expect((await submit("mia", "and one more")).status).toBe(403);

    fake.holding = false;
    await until("every job to finish", async () => (await call("ada", "/api/jobs?status=running")).body.items.length === 0 && (await call("ada", "/api/jobs?status=queued")).body.items.length === 0, 30_000);

    // The ledger splits the same spend per person, and the parts sum to the total.
    const split = (await call("ada", "/api/ledger")).body;
    expect(split.totalUsd).toBe(0.072);
    expect(split.people).toEqual([
      { accountId: ids.mia, email: "mia@team.test", jobs: 4, images: 4, costUsd: 0.054 },
      { accountId: ids.max, email: "max@team.test", jobs: 1, images: 1, costUsd: 0.018 },
    ]);
    expect(split.people.reduce((sum: number, p: { costUsd: number }) => sum + p.costUsd, 0)).toBeCloseTo(split.totalUsd, 6);

    // The Team page's list carries each person's spend this month against their limit.
    const listed = (await team()).accounts.find((a) => a.id === ids.mia);
    expect(listed).toMatchObject({ spentThisMonthUsd: 0.054, limitUsd: 0.05, budgetUsd: null, status: "active" });
  });
});

describe("the accounts API", () => {
  it("is for admins only: a member gets 403 on every route and changes nothing", async () => {
    const before = await team();
    const member = [
      await call("zoe", "/api/accounts"),
      await call("zoe", "/api/accounts", { method: "POST", json: { email: "sneaky@team.test", role: "admin" } }),
      await call("zoe", `/api/accounts/${ids.zoe}`, { method: "PATCH", json: { role: "admin" } }),
      await call("zoe", `/api/accounts/${ids.zoe}`, { method: "PATCH", json: { budgetUsd: 1000 } }),
      await call("zoe", `/api/accounts/${ids.max}`, { method: "DELETE" }),
      await call("zoe", `/api/accounts/${ids.max}/reset`, { method: "POST" }),
    ];
    for (const answer of member) expect([answer.status, answer.body.error.code]).toEqual([403, "forbidden"]);
    expect(await team()).toEqual(before);
    const page = await as("zoe", "/team");
    expect(await page.text()).toContain("Only admins manage the team");
  });

  it("adds a person with a one-time invite link valid 48 hours, and refuses bad input with 400 or 404", async () => {
    const added = await call("ada", "/api/accounts", { method: "POST", json: { email: "  New.Person@Team.test ", role: "member" } });
    expect(added.status).toBe(201);
    expect(added.body.account).toMatchObject({ email: "new.person@team.test", role: "member", status: "invited" });
    expect(added.body.path).toBe(`/invite/${added.body.token}`);
    expect(Date.parse(added.body.expiresAt) - Date.now()).toBeGreaterThan(47.9 * 3600_000);
    expect((await team()).accounts.find((a) => a.email === "new.person@team.test")).toMatchObject({ status: "invited", sessions: 0 });
    const again = await call("ada", "/api/accounts", { method: "POST", json: { email: "new.person@team.test" } });
    expect([again.status, again.body.error.code]).toEqual([409, "conflict"]);

    const before = await team();
    const bad = [
      await call("ada", "/api/accounts", { method: "POST", json: { email: `${"a".repeat(250)}@team.test` } }),
      await call("ada", "/api/accounts", { method: "POST", json: { email: "bad\u0000name@team.test" } }),
      await call("ada", "/api/accounts", { method: "POST", json: { email: "x@team.test", role: "owner" } }),
      await call("ada", "/api/accounts", { method: "POST", json: ["x@team.test"] }),
      await call("ada", `/api/accounts/${ids.max}`, { method: "PATCH", json: { budgetUsd: -1 } }),
      await call("ada", `/api/accounts/${ids.max}`, { method: "PATCH", json: { budgetUsd: "lots" } }),
      await call("ada", `/api/accounts/${ids.max}`, { method: "PATCH", json: { email: "max2@team.test" } }),
    ];
    for (const answer of bad) expect([answer.status, answer.body.error.code]).toEqual([400, "invalid_request"]);
    const text = await as("ada", `/api/accounts/${ids.max}`, { method: "PATCH", body: "role=admin", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    const unknown = newId();
    const missing = [
      await call("ada", `/api/accounts/${unknown}`, { method: "PATCH", json: { role: "admin" } }),
      await call("ada", `/api/accounts/not-an-id`, { method: "PATCH", json: { role: "admin" } }),
      await call("ada", `/api/accounts/${"9".repeat(5000)}`, { method: "DELETE" }),
      await call("ada", `/api/accounts/${unknown}/reset`, { method: "POST" }),
      await call("ada", `/api/accounts/%00/reset`, { method: "POST" }),
    ];
    for (const answer of missing) expect([answer.status, answer.body.error.code]).toEqual([404, "not_found"]);
    expect(await team()).toEqual(before);
  });

  it("resets a person: a new link, their password stops and their session is refused at once", async () => {
    expect((await as("max", "/api/jobs")).status).toBe(200);
    const reset = await call("ada", `/api/accounts/${ids.max}/reset`, { method: "POST" });
    expect(reset.status).toBe(201);
    expect(reset.body.path).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(reset.body.account).toMatchObject({ id: ids.max, status: "invited" });
    expect((await as("max", "/api/jobs")).status).toBe(401);
    const login = await fetch(`${server.url}/api/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "max@team.test", password: PASSWORD }).toString(),
    });
    expect(login.headers.get("location")).toMatch(/^\/login\?error=wrong/);
  });

  it("removes a person, whose session is refused at once, but never yourself or the last admin", async () => {
    expect((await as("rex", "/api/jobs")).status).toBe(200);
    const removed = await as("ada", `/api/accounts/${ids.rex}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect((await as("rex", "/api/jobs")).status).toBe(401);
    expect((await team()).accounts.find((a) => a.id === ids.rex)).toMatchObject({ status: "removed", sessions: 0 });
    expect((await call("ada", `/api/accounts/${ids.rex}`, { method: "DELETE" })).status).toBe(404);

    const self = await call("ada", `/api/accounts/${ids.ada}`, { method: "DELETE" });
    expect([self.status, self.body.error.code]).toEqual([403, "forbidden"]);
    expect(self.body.error.message).toContain("yourself");
    expect((await call("ada", `/api/accounts/${ids.ada}/reset`, { method: "POST" })).status).toBe(403);
    const demote = await call("ada", `/api/accounts/${ids.ada}`, { method: "PATCH", json: { role: "member" } });
    expect([demote.status, demote.body.error.code]).toEqual([409, "conflict"]);
    expect(demote.body.error.message).toContain("last admin");
    expect((await as("ada", "/api/accounts")).status).toBe(200);

    // With a second admin, either may step down, and the new admin's rights hold at once.
    expect((await call("ada", `/api/accounts/${ids.mia}`, { method: "PATCH", json: { role: "admin" } })).body.role).toBe("admin");
    expect((await call("mia", "/api/accounts")).status).toBe(200);
    expect((await call("mia", `/api/accounts/${ids.mia}`, { method: "PATCH", json: { role: "member" } })).status).toBe(200);
    expect((await call("mia", "/api/accounts")).status).toBe(403);
  });

  it("shows admins the Team page with everyone on it", async () => {
    const res = await as("ada", "/team");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const name of ["ada", "mia", "zoe", "rex"]) expect(html).toContain(`${name}@team.test`);
    expect(html).toContain("Add a person");
  });
});
