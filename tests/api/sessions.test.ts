/**
 * Server-side sessions with ATELIER_PASSWORD set: the cookie is a random id whose hash alone
 * is stored, signing out ends it on the server, sessions can be listed and ended one by one
 * or all at once, idle ones expire, and the cookie is Secure behind a trusted HTTPS proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/server";
import { backdateSession, storedCounts, storedText } from "../support/stored";

const PASSWORD = "correct horse";
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

let server: TestServer;
let trusting: TestServer; // behind a trusted proxy (ATELIER_TRUST_PROXY=1)

const locked = (env: Record<string, string> = {}) =>
  startServer({ env: { DEMO_DELAY_MS: "100", ATELIER_PASSWORD: PASSWORD, ...env }, readyPath: "/login" });

beforeAll(async () => {
  const [a, b] = await Promise.allSettled([locked(), locked({ ATELIER_TRUST_PROXY: "1" })]);
  if (a.status === "fulfilled") server = a.value;
  if (b.status === "fulfilled") trusting = b.value;
  for (const r of [a, b]) if (r.status === "rejected") throw r.reason;
});

afterAll(async () => {
  await Promise.all([server?.stop(), trusting?.stop()]);
});

/** Signs in and returns the Set-Cookie line for the session. */
async function signIn(on: TestServer = server, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${on.url}/api/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": CHROME_MAC, ...headers },
    body: new URLSearchParams({ password: PASSWORD }).toString(),
  });
  await res.arrayBuffer();
  expect(res.status).toBe(303);
  const line = res.headers.getSetCookie().find((c) => c.startsWith("atelier_session="));
  expect(line, res.headers.getSetCookie().join(" | ")).toBeTruthy();
  return line!;
}
const valueOf = (setCookie: string) => /^atelier_session=([^;]*)/.exec(setCookie)![1]!;
const newSession = async (headers: Record<string, string> = {}) => valueOf(await signIn(server, headers));

const send = (path: string, cookie: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { redirect: "manual", ...init, headers: { cookie: `atelier_session=${cookie}`, ...init.headers } });
async function statusOf(path: string, cookie: string, init: RequestInit = {}): Promise<number> {
  const res = await send(path, cookie, init);
  await res.arrayBuffer();
  return res.status;
}
type SessionRow = { id: string; device: string; createdAt: string; lastSeenAt: string; current: boolean };
async function sessions(cookie: string): Promise<SessionRow[]> {
  const res = await send("/api/sessions", cookie);
  expect(res.status).toBe(200);
  return res.json();
}

describe("the session cookie", () => {
  it("is a random id with no expiry or signature in it, and the database keeps only its hash", async () => {
    const line = await signIn();
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).not.toMatch(/;\s*Secure/i);
    const cookie = valueOf(line);
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits, base64url: no "v1.<expiry>.<signature>"
    expect(cookie).not.toContain(".");
    expect(valueOf(await signIn())).not.toBe(cookie);

    const stored = await storedText(server, ["Session", "ApiToken", "LoginAttempt"]);
    expect(stored).toContain("tokenHash");
    expect(stored).not.toContain(cookie);
    expect(stored).not.toContain(PASSWORD);
    expect(await statusOf("/api/jobs", cookie)).toBe(200);
  });

  it("refuses forged and altered cookies: 401 on the API, 303 to /login for pages", async () => {
    const cookie = await newSession();
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const forged = [
      flip(cookie, 0),
      flip(cookie, 42),
      cookie.slice(0, -1),
      cookie + "x",
      "A".repeat(43),
      `v1.${Date.now() + 86_400_000}.${"A".repeat(43)}`, // the old signed format
      "null",
      "%00".repeat(20),
    ];
    for (const value of forged) {
      expect(await statusOf("/api/jobs", value), value).toBe(401);
      const page = await send("/", value);
      await page.arrayBuffer();
      expect(page.status, value).toBe(303);
      expect(page.headers.get("location")).toMatch(/^\/login\?next=/);
    }
    expect(await statusOf("/api/jobs", cookie)).toBe(200);
  });

  it("is Secure behind a trusted proxy that says HTTPS, and not when the proxy is not trusted", async () => {
    expect(await signIn(trusting, { "x-forwarded-proto": "https" })).toMatch(/;\s*Secure/i);
    expect(await signIn(trusting)).not.toMatch(/;\s*Secure/i);
    expect(await signIn(server, { "x-forwarded-proto": "https" })).not.toMatch(/;\s*Secure/i);
  });
});

describe("ending sessions", () => {
  it("signing out ends the session on the server: the same cookie is refused afterwards", async () => {
    const cookie = await newSession();
    expect(await statusOf("/api/jobs", cookie)).toBe(200);
    const res = await send("/api/logout", cookie, { method: "POST" });
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
    expect(await statusOf("/api/jobs", cookie)).toBe(401);
  });

  it("lists sessions with their device and marks the caller's own, without secrets", async () => {
    const mine = await newSession();
    const other = await newSession({ "user-agent": FIREFOX_LINUX });
    const list = await sessions(mine);
    const current = list.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]!.device).toBe("Chrome on macOS");
    expect(list.map((s) => s.device)).toContain("Firefox on Linux");
    for (const s of list) {
      expect(Object.keys(s).sort()).toEqual(["createdAt", "current", "device", "id", "lastSeenAt"]);
      expect(Number.isNaN(Date.parse(s.createdAt))).toBe(false);
    }
    const text = JSON.stringify(list);
    expect(text).not.toContain(mine);
    expect(text).not.toContain(other);
  });

  it("DELETE /api/sessions/:id ends that session only", async () => {
    const keep = await newSession();
    const end = await newSession();
    const target = (await sessions(end)).find((s) => s.current)!;
    expect(await statusOf(`/api/sessions/${target.id}`, keep, { method: "DELETE" })).toBe(204);
    expect(await statusOf("/api/jobs", end)).toBe(401);
    expect(await statusOf("/api/jobs", keep)).toBe(200);
    expect((await sessions(keep)).map((s) => s.id)).not.toContain(target.id);
  });

  it("DELETE of an unknown or malformed session id is 404, and ends nothing", async () => {
    const cookie = await newSession();
    const before = await storedCounts(server, ["Session"]);
    for (const id of ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id", "x".repeat(500)]) {
      const res = await send(`/api/sessions/${id}`, cookie, { method: "DELETE" });
      const body = await res.json();
      expect(res.status, id).toBe(404);
      expect(body.error.code).toBe("not_found");
    }
    expect(await storedCounts(server, ["Session"])).toEqual(before);
    expect(await statusOf("/api/jobs", cookie)).toBe(200);
  });

  it("a revoked session cannot end others", async () => {
    const gone = await newSession();
    const victim = await newSession();
    const victimId = (await sessions(victim)).find((s) => s.current)!.id;
    expect(await statusOf("/api/logout", gone, { method: "POST" })).toBe(303);
    expect(await statusOf(`/api/sessions/${victimId}`, gone, { method: "DELETE" })).toBe(401);
    expect(await statusOf("/api/sessions/revoke-all", gone, { method: "POST" })).toBe(401);
    expect(await statusOf("/api/jobs", victim)).toBe(200);
  });

  it("POST /api/sessions/revoke-all ends every session, the caller's too", async () => {
    const a = await newSession();
    const b = await newSession({ "user-agent": FIREFOX_LINUX });
    const res = await send("/api/sessions/revoke-all", a, { method: "POST" });
    await res.arrayBuffer();
    expect(res.status).toBe(204);
    expect(await statusOf("/api/jobs", a)).toBe(401);
    expect(await statusOf("/api/jobs", b)).toBe(401);
    expect(await storedCounts(server, ["Session"])).toMatchObject({ Session: 0 });
  });

  it("a second instance on the same database accepts the session, and a revocation there holds here at once", async () => {
    const second = await startServer({ dataDir: server.dataDir, env: server.env, ownsDataDir: false, readyPath: "/login" });
    try {
      const cookie = await newSession();
      const other = (path: string, init: RequestInit = {}) =>
        fetch(`${second.url}${path}`, { redirect: "manual", ...init, headers: { cookie: `atelier_session=${cookie}` } });
      const read = await other("/api/jobs");
      await read.arrayBuffer();
      expect(read.status).toBe(200);
      const id = (await sessions(cookie)).find((s) => s.current)!.id;
      const ended = await other(`/api/sessions/${id}`, { method: "DELETE" });
      await ended.arrayBuffer();
      expect(ended.status).toBe(204);
      expect(await statusOf("/api/jobs", cookie)).toBe(401);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("an open event stream ends soon after its session is revoked", async () => {
    const cookie = await newSession();
    const res = await send("/api/events", cookie);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("event: ready")) {
      const { value, done } = await reader.read();
      expect(done, text).toBe(false);
      text += decoder.decode(value);
    }
    expect(await statusOf("/api/logout", cookie, { method: "POST" })).toBe(303);
    const ends = (async () => {
      while (!(await reader.read()).done); // keepalives may come first
      return true;
    })();
    const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000));
    const ended = await Promise.race([ends, late]);
    if (!ended) await reader.cancel();
    expect(ended, "the stream ends within 15 s").toBe(true);
  }, 30_000);

  it("records use at most about once a minute, and then renews the cookie for another 30 days", async () => {
    const cookie = await newSession();
    const first = (await sessions(cookie)).find((s) => s.current)!;
    const soon = await send("/api/jobs", cookie);
    await soon.arrayBuffer();
    expect(soon.headers.getSetCookie()).toEqual([]); // just seen: nothing written, nothing renewed
    expect((await sessions(cookie)).find((s) => s.current)!.lastSeenAt).toBe(first.lastSeenAt);

    await backdateSession(server, first.id, 2 * 60_000);
    const later = await send("/api/jobs", cookie);
    await later.arrayBuffer();
    expect(later.status).toBe(200);
    const renewed = later.headers.getSetCookie().find((c) => c.startsWith("atelier_session="));
    expect(renewed, "Set-Cookie after two minutes away").toBeTruthy();
    expect(valueOf(renewed!)).toBe(cookie);
    expect(renewed!).toMatch(/Max-Age=2592000/i);
    expect(renewed!).toMatch(/;\s*HttpOnly/i);
    const seen = (await sessions(cookie)).find((s) => s.current)!.lastSeenAt;
    expect(Date.parse(seen)).toBeGreaterThan(Date.now() - 30_000);
  });

  it("a session idle for more than 30 days is refused and its row purged", async () => {
    const idle = await newSession();
    const active = await newSession();
    const id = (await sessions(idle)).find((s) => s.current)!.id;
    await backdateSession(server, id, 31 * 24 * 3600_000);
    expect(await statusOf("/api/jobs", idle)).toBe(401);
    expect((await sessions(active)).map((s) => s.id)).not.toContain(id);
    expect(await storedText(server, ["Session"])).not.toContain(id);
    expect(await statusOf("/api/jobs", active)).toBe(200);
  });
});
