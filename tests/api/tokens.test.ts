/**
 * API tokens for scripts with ATELIER_PASSWORD set: made from a signed-in browser, shown once,
 * stored only as a hash, accepted as `Authorization: Bearer atk_…` on the API, and refused the
 * moment they are deleted; anything malformed is a 401 or 400, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/server";
import { storedCounts, storedText } from "../support/stored";

const PASSWORD = "correct horse";
const JOB = { provider: "demo", prompt: "a kite over dunes", aspectRatio: "1:1" };

let server: TestServer;
let cookie = "";

beforeAll(async () => {
  server = await startServer({ env: { DEMO_DELAY_MS: "100", ATELIER_PASSWORD: PASSWORD }, readyPath: "/login" });
  const res = await fetch(`${server.url}/api/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password: PASSWORD }).toString(),
  });
  await res.arrayBuffer();
  cookie = /atelier_session=([^;]*)/.exec(res.headers.getSetCookie().join("\n"))![1]!;
});

afterAll(async () => {
  await server?.stop();
});

/** Read when called: the cookie is set in beforeAll. */
const asBrowserHeaders = () => ({ cookie: `atelier_session=${cookie}` });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function call(path: string, headers: Record<string, string>, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    redirect: "manual",
    headers: { ...headers, ...(init.body !== undefined && { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const createToken = async (name: string) => {
  const res = await call("/api/tokens", asBrowserHeaders(), { method: "POST", body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; token: string };
};
const jobCount = async () => (await storedCounts(server, ["Job"])).Job;

describe("API tokens", () => {
  it("creates a token shown once, and lists it without the secret", async () => {
    const created = await createToken("  nightly export  ");
    expect(Object.keys(created).sort()).toEqual(["id", "name", "token"]);
    expect(created.name).toBe("nightly export");
    expect(created.token).toMatch(/^atk_[A-Za-z0-9_-]{43}$/);

    const list = await call("/api/tokens", asBrowserHeaders());
    expect(list.status).toBe(200);
    const row = list.body.find((t: { id: string }) => t.id === created.id);
    expect(Object.keys(row).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name"]);
    expect(row).toMatchObject({ name: "nightly export", lastUsedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.token.slice(4));
    expect(await storedText(server, ["ApiToken", "Session"])).not.toContain(created.token.slice(4));
  });

  it("lets scripts read and create jobs with Authorization: Bearer, and records the use", async () => {
    const { id, token } = await createToken("script");
    const list = await call("/api/jobs", bearer(token));
    expect(list.status).toBe(200);
    const before = await jobCount();
    const made = await call("/api/jobs", bearer(token), { method: "POST", body: JOB });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.prompt).toBe(JOB.prompt);
    expect(await jobCount()).toBe(before + 1);
    const row = (await call("/api/tokens", bearer(token))).body.find((t: { id: string }) => t.id === id);
    expect(Date.parse(row.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refuses wrong, altered, unknown and deleted tokens with 401, creating nothing", async () => {
    const { id, token } = await createToken("soon gone");
    const deleted = await call(`/api/tokens/${id}`, asBrowserHeaders(), { method: "DELETE" });
    expect(deleted.status).toBe(204);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const live = (await createToken("live")).token;
    const refused = [token, flip(live, 10), flip(live, live.length - 1), `atk_${"A".repeat(43)}`, live.slice(0, -1), live + "A"];
    const before = await jobCount();
    for (const t of refused) {
      const res = await call("/api/jobs", bearer(t), { method: "POST", body: JOB });
      expect(res.status, t).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
      expect((await call("/api/jobs", bearer(t))).status, t).toBe(401);
    }
    expect(await jobCount()).toBe(before);
    expect((await call("/api/jobs", bearer(live))).status).toBe(200);
    expect((await call(`/api/tokens/${id}`, asBrowserHeaders(), { method: "DELETE" })).status).toBe(404);
  });

  it("answers malformed Authorization headers with 401, never 500, even beside a valid cookie", async () => {
    const { token } = await createToken("format");
    const headers = [
      token, // no scheme
      `Basic ${Buffer.from(`x:${PASSWORD}`).toString("base64")}`,
      `Bearer`,
      `Bearer `,
      `bearer ${token}`,
      `Bearer  ${token}`,
      `Bearer ${token} extra`,
      `Bearer ${cookie}`, // a session id is not a token
      `Bearer ${"atk_" + "A".repeat(5000)}`,
      `Bearer atk_${"A".repeat(42)}=`,
    ];
    const before = await jobCount();
    for (const authorization of headers) {
      const res = await call("/api/jobs", { authorization, ...asBrowserHeaders() }, { method: "POST", body: JOB });
      expect(res.status, authorization.slice(0, 60)).toBe(401);
    }
    expect(await jobCount()).toBe(before);
  });

  it("validates names: missing, empty, too long or with control characters is 400", async () => {
    const before = await storedCounts(server, ["ApiToken"]);
    for (const body of [{}, { name: "" }, { name: "   " }, { name: "x".repeat(101) }, { name: "a\u0000b" }, { name: "tab\there" }, { name: 7 }, { name: "ok", extra: 1 }]) {
      const res = await call("/api/tokens", asBrowserHeaders(), { method: "POST", body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(await storedCounts(server, ["ApiToken"])).toEqual(before);
  });

  it("needs a browser session or a token: without either, every token route is 401", async () => {
    const before = await storedCounts(server, ["ApiToken"]);
    expect((await call("/api/tokens", {})).status).toBe(401);
    expect((await call("/api/tokens", {}, { method: "POST", body: { name: "sneaky" } })).status).toBe(401);
    const { id } = await createToken("kept");
    expect((await call(`/api/tokens/${id}`, {}, { method: "DELETE" })).status).toBe(401);
    expect(await storedCounts(server, ["ApiToken"])).toEqual({ ...before, ApiToken: before.ApiToken + 1 });
  });

  it("a token can manage tokens too, and deleting one ends it at once", async () => {
    const { token } = await createToken("admin script");
    const other = await call("/api/tokens", bearer(token), { method: "POST", body: { name: "made by a script" } });
    expect(other.status).toBe(201);
    expect((await call("/api/jobs", bearer(other.body.token))).status).toBe(200);
    expect((await call(`/api/tokens/${other.body.id}`, bearer(token), { method: "DELETE" })).status).toBe(204);
    expect((await call("/api/jobs", bearer(other.body.token))).status).toBe(401);
  });
});
