/**
 * Access and secrets, against the production build:
 * - cross-site writes are refused (Origin / Sec-Fetch-Site), security headers are sent;
 * - with ATELIER_PASSWORD set, nothing but the login page is reachable without a session
 *   cookie, the login is rate-limited and never redirects off-site;
 * - provider keys reach no client bundle, API answer, page, error message or log line,
 *   even when the provider echoes them back;
 * - image routes cannot be made to read outside the data folder.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "../support/fake-provider";
import { gradientPng } from "../support/fixtures";
import { fakeProvidersEnv } from "../support/provider-env";
import { getJson, type Json, ROOT, startServer, type TestServer, uploadOk, waitForJob } from "../support/server";
import { healthyParts, storedCounts } from "../support/stored";

const EVIL = "http://evil.example";
const PASSWORD = "correct horse";

const KEYS = {
  therouter: "sk-therouter-SECRET-1",
  dmxapi: "sk-dmxapi-SECRET-2",
  modelverse: "sk-modelverse-SECRET-3",
  quickrouter: "sk-quickrouter-SECRET-4",
} as const;
const SECRETS = [...Object.values(KEYS), "-SECRET-"];
type KeyedProvider = keyof typeof KEYS;

type Running = Pick<TestServer, "url" | "dataDir" | "env" | "logs" | "stop">;

let open: TestServer; // no password, fake keys pointing at the echoing fake
let locked: Running; // ATELIER_PASSWORD set
let fake: FakeProvider;

beforeAll(async () => {
  // A careless provider: refuses every call with 401 and echoes the presented key everywhere.
  fake = await startFakeProvider((req) => {
    const presented = String(req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    const words = `Invalid API key provided: ${presented}`;
    return {
      status: 401,
      json: { error: { message: words, code: "invalid_api_key", type: "authentication_error" }, message: words, msg: words, detail: words, code: 401 },
    };
  });
  const keyEnv: Record<string, string> = {
    ...fakeProvidersEnv(KEYS, fake.url),
    PROVIDER_REQUEST_TIMEOUT_MS: "3000",
    PROVIDER_SYNC_TIMEOUT_MS: "3000",
    DEMO_DELAY_MS: "100",
  };
  // Both at once; if one fails to start, the other is still assigned so afterAll stops it.
  const [a, b] = await Promise.allSettled([startServer({ env: keyEnv }), startLockedServer(PASSWORD)]);
  if (a.status === "fulfilled") open = a.value;
  if (b.status === "fulfilled") locked = b.value;
  for (const r of [a, b]) if (r.status === "rejected") throw r.reason;
});

afterAll(async () => {
  await Promise.all([open?.stop(), locked?.stop()]);
  await fake?.close();
});

// ---------------------------------------------------------------------------------------
// Helpers.

/** A password-protected server: the API rightly answers 401, so readiness is GET /login. */
const startLockedServer = (password: string): Promise<Running> =>
  startServer({ env: { DEMO_DELAY_MS: "100", ATELIER_PASSWORD: password }, readyPath: "/login" });

/** Rows in the tables a write could touch, and stored image files. */
const snapshot = (server: Running) => storedCounts(server, ["Job", "Image"]);

async function json(res: Response): Promise<Json> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const postJob = (server: Running, headers: Record<string, string>, body: unknown = { provider: "demo", prompt: "a kite over dunes", aspectRatio: "1:1" }) =>
  fetch(`${server.url}/api/jobs`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

/**
 * The path and query a redirect points at, after checking it stays on this server: the same
 * port on a loopback name. (Whether it keeps the exact host the client used is its own test
 * below, so that one fault does not hide the others.)
 */
function sameOriginTarget(server: Running, res: Response): string {
  const location = res.headers.get("location");
  expect(location, "Location header").toBeTruthy();
  const target = new URL(location!, server.url);
  const here = new URL(server.url);
  expect(["127.0.0.1", "localhost"], `redirect to ${location}`).toContain(target.hostname);
  expect(target.port, `redirect to ${location}`).toBe(here.port);
  expect(target.protocol, `redirect to ${location}`).toBe(here.protocol);
  return target.pathname + target.search;
}

/**
 * A GET sent byte for byte as written (fetch would normalise `%2e%2e` and `..` away), following
 * same-origin redirects; returns every hop.
 */
async function rawGet(server: Running, rawPath: string, hops = 3): Promise<{ status: number; type: string; body: Buffer; path: string }[]> {
  const { hostname, port } = new URL(server.url);
  const one = (p: string) =>
    new Promise<{ status: number; type: string; body: Buffer; location?: string }>((resolve, reject) => {
      const req = http.request({ host: hostname, port, path: p, method: "GET" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks), location: res.headers.location }),
        );
      });
      req.on("error", reject);
      req.setTimeout(10_000, () => req.destroy(new Error(`GET ${p} timed out`)));
      req.end();
    });
  const seen: { status: number; type: string; body: Buffer; path: string }[] = [];
  let p = rawPath;
  for (let i = 0; i <= hops; i++) {
    const r = await one(p);
    seen.push({ status: r.status, type: r.type, body: r.body, path: p });
    if (r.status < 300 || r.status >= 400 || !r.location) break;
    const next = new URL(r.location, server.url);
    if (next.origin !== new URL(server.url).origin) throw new Error(`${rawPath} redirected off-site to ${r.location}`);
    p = next.pathname + next.search;
  }
  return seen;
}

// ---------------------------------------------------------------------------------------

describe("cross-site writes (no password)", () => {
  it("refuses POST /api/jobs from another origin with 403 forbidden and creates nothing", async () => {
    const before = await snapshot(open);
    const res = await postJob(open, { origin: EVIL });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(403);
    expect(body.error.code).toBe("forbidden");
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(await snapshot(open)).toEqual(before);
  });

  it("refuses a write marked Sec-Fetch-Site: cross-site (no Origin) with 403", async () => {
    const before = await snapshot(open);
    const res = await postJob(open, { "sec-fetch-site": "cross-site" });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("forbidden");
    expect(await snapshot(open)).toEqual(before);
  });

  it('refuses Origin: null (sandboxed frames, data: pages) with 403', async () => {
    const before = await snapshot(open);
    const res = await postJob(open, { origin: "null" });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    expect(await snapshot(open)).toEqual(before);
  });

  it("refuses a look-alike origin (same host, other port) with 403", async () => {
    const res = await postJob(open, { origin: "http://127.0.0.1:1" });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
  });

  it("refuses cross-site uploads, cancels, logins, logouts and server-action posts", async () => {
    const before = await snapshot(open);
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(await gradientPng(64, 64, 91))], { type: "image/png" }), "x.png");
    const writes: [string, RequestInit][] = [
      ["/api/uploads", { body: form }],
      ["/api/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel", {}],
      ["/api/login", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "password=x" }],
      ["/api/logout", {}],
      ["/", { headers: { "next-action": "0123456789abcdef0123456789abcdef01234567", "content-type": "text/plain" }, body: "[]" }],
    ];
    for (const [route, init] of writes) {
      const res = await fetch(`${open.url}${route}`, { ...init, method: "POST", redirect: "manual", headers: { ...(init.headers as Record<string, string>), origin: EVIL } });
      const body = await json(res);
      expect(res.status, `${route}: ${JSON.stringify(body).slice(0, 200)}`).toBe(403);
      expect(body?.error?.code, route).toBe("forbidden");
    }
    expect(await snapshot(open)).toEqual(before);
  });

  it("still serves reads to other origins (GET is not a write)", async () => {
    const res = await fetch(`${open.url}/api/providers`, { headers: { origin: EVIL } });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });

  it("accepts the same write from this very origin (201)", async () => {
    const before = await snapshot(open);
    const res = await postJob(open, { origin: open.url, "sec-fetch-site": "same-origin" });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect((await snapshot(open)).Job).toBe(before.Job + 1);
  });
});

describe("security headers", () => {
  it.each(["/", "/api/providers", "/api/jobs", "/login"])("%s sends CSP frame-ancestors 'none', nosniff and X-Frame-Options", async (route) => {
    const res = await fetch(`${open.url}${route}`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp, "production CSP must not allow eval").not.toContain("unsafe-eval");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")?.toUpperCase()).toMatch(/^(DENY|SAMEORIGIN)$/);
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("sends them on a stored image too", async () => {
    const id = await uploadOk(open.url, await gradientPng(48, 48, 92));
    const res = await fetch(`${open.url}/api/images/${id}`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy") ?? "").toContain("frame-ancestors 'none'");
  });
});

// ---------------------------------------------------------------------------------------

describe("ATELIER_PASSWORD", () => {
  const login = (password: string, opts: { next?: string; headers?: Record<string, string> } = {}) => {
    const form = new URLSearchParams({ password });
    if (opts.next !== undefined) form.set("next", opts.next);
    return fetch(`${locked.url}/api/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...opts.headers },
      body: form.toString(),
    });
  };
  const get = (route: string, cookie?: string) =>
    fetch(`${locked.url}${route}`, { redirect: "manual", headers: cookie ? { cookie: `atelier_session=${cookie}` } : {} });

  let session = "";

  it("sends a page visit without a session to /login?next=%2F (303)", async () => {
    const res = await get("/");
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    expect(sameOriginTarget(locked, res)).toBe("/login?next=%2F");
  });

  it("keeps the page asked for in next=", async () => {
    const res = await get("/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV?x=1");
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    expect(sameOriginTarget(locked, res)).toBe(`/login?next=${encodeURIComponent("/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV?x=1")}`);
  });

  it.each(["/api/jobs", "/api/providers", "/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV"])("answers GET %s without a session with 401 unauthorized JSON", async (route) => {
    const res = await get(route);
    const body = await json(res);
    expect(res.status).toBe(401);
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  it("refuses API writes without a session (401) and creates nothing", async () => {
    const before = await snapshot(locked);
    const res = await postJob(locked, {});
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("unauthorized");
    expect(await snapshot(locked)).toEqual(before);
  });

  it("answers GET /api/health without a session: every part up, by kind, and nothing else", async () => {
    const res = await get("/api/health");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toEqual(healthyParts(locked));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(locked.dataDir);
    // On PostgreSQL and S3: no connection string, no storage key.
    for (const secret of [locked.env.DATABASE_URL, locked.env.S3_SECRET_ACCESS_KEY]) if (secret) expect(text).not.toContain(secret);
  });

  it("serves the login page (200) without a session", async () => {
    const res = await get("/login");
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('name="password"');
  });

  it("sends a wrong password back to /login?error=wrong (303), with no cookie", async () => {
    const res = await login("wrong horse");
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    const target = new URL(sameOriginTarget(locked, res), locked.url);
    expect(target.pathname).toBe("/login");
    expect(target.searchParams.get("error")).toBe("wrong");
    expect(res.headers.get("set-cookie") ?? "").not.toContain("atelier_session=");
  });

  it("signs in with the right password: 303 and an HttpOnly SameSite=Lax session cookie", async () => {
    const res = await login(PASSWORD);
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    expect(sameOriginTarget(locked, res)).toBe("/");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("atelier_session="));
    expect(cookie, res.headers.getSetCookie().join(" | ")).toBeTruthy();
    expect(cookie!).toMatch(/;\s*HttpOnly/i);
    expect(cookie!).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie!).toMatch(/;\s*Path=\//i);
    session = /^atelier_session=([^;]*)/.exec(cookie!)![1]!;
    expect(session.length).toBeGreaterThan(20);
    expect(session).not.toContain(PASSWORD.replace(" ", ""));
  });

  it("lets the session cookie through: GET /api/jobs 200, GET / 200", async () => {
    const api = await get("/api/jobs", session);
    expect(api.status).toBe(200);
    expect((await api.json()).items).toEqual([]);
    const page = await get("/", session);
    await page.arrayBuffer();
    expect(page.status).toBe(200);
  });

  it("refuses tampered and forged cookies (401)", async () => {
    // The cookie is a random session id (tests/api/sessions.test.ts covers expiry and revocation).
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const forged = [
      flip(session, 0),
      flip(session, session.length - 1),
      session.slice(0, -1),
      "A".repeat(43),
      `v1.${Date.now() + 86_400_000}.${"A".repeat(43)}`, // the old signed-expiry format
      "v1.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "null",
      session + "x",
    ];
    for (const cookie of forged) {
      const res = await get("/api/jobs", cookie);
      await res.arrayBuffer();
      expect(res.status, cookie).toBe(401);
    }
  });

  it.each([
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
  ])("never follows next=%j off-site after signing in", async (next) => {
    const res = await login(PASSWORD, { next });
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).not.toMatch(/evil\.example/);
    expect(sameOriginTarget(locked, res)).toBe("/");
  });

  it("redirects after a login attempt to the host the browser used, not to localhost", async () => {
    // Reached as http://127.0.0.1:port (or a LAN address), a redirect to http://localhost:port
    // lands on another origin: the cookie just set is not sent there, so signing in loops.
    const seen: string[] = [];
    for (const password of ["wrong horse", PASSWORD]) {
      const res = await login(password, { next: "/jobs" });
      await res.arrayBuffer();
      const location = res.headers.get("location") ?? "";
      if (new URL(location, locked.url).origin !== new URL(locked.url).origin) seen.push(`POST /api/login (${password}) → Location: ${location}`);
    }
    expect(seen, `the server is at ${locked.url}`).toEqual([]);
  });

  it("throttles: after 5 wrong passwords, even the right one is sent back with error=throttled", async () => {
    // A successful sign-in clears earlier failures: start from none.
    const clean = await login(PASSWORD);
    await clean.arrayBuffer();
    expect(sameOriginTarget(locked, clean)).toBe("/");
    for (let i = 0; i < 5; i++) {
      const res = await login(`guess ${i}`);
      await res.arrayBuffer();
      expect(new URL(sameOriginTarget(locked, res), locked.url).searchParams.get("error")).toBe("wrong");
    }
    const res = await login(PASSWORD);
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    const target = new URL(sameOriginTarget(locked, res), locked.url);
    expect(target.pathname).toBe("/login");
    expect(target.searchParams.get("error")).toBe("throttled");
    expect(res.headers.get("set-cookie") ?? "").not.toContain("atelier_session=");
  });

  it("cannot be talked out of the throttle with a made-up X-Forwarded-For", async () => {
    // The server is reached directly (no proxy in front), so the header is the client's own words.
    const res = await login(PASSWORD, { headers: { "x-forwarded-for": "203.0.113.77" } });
    await res.arrayBuffer();
    const target = new URL(sameOriginTarget(locked, res), locked.url);
    expect(target.searchParams.get("error"), `Location: ${res.headers.get("location")}`).toBe("throttled");
    expect(res.headers.get("set-cookie") ?? "").not.toContain("atelier_session=");
  });

  it("keeps an existing session working while the login is throttled", async () => {
    const res = await get("/api/jobs", session);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------

describe("keys never leave the server", () => {
  const PROVIDERS: { id: KeyedProvider; body: Record<string, unknown> }[] = [
    { id: "therouter", body: { provider: "therouter", prompt: "key check therouter", aspectRatio: "1:1" } },
    { id: "dmxapi", body: { provider: "dmxapi", prompt: "key check dmxapi", aspectRatio: "1:1" } },
    { id: "modelverse", body: { provider: "modelverse", prompt: "key check modelverse", aspectRatio: "1:1" } },
    { id: "quickrouter", body: { provider: "quickrouter", prompt: "key check quickrouter", aspectRatio: "1:1" } },
  ];
  const failed: Json[] = [];

  const expectNoSecret = (where: string, text: string) => {
    for (const secret of SECRETS) expect(text.includes(secret), `${secret} found in ${where}`).toBe(false);
  };

  beforeAll(async () => {
    for (const p of PROVIDERS) {
      const res = await postJob(open, {}, p.body);
      const job = await json(res);
      if (res.status !== 201) throw new Error(`${p.id}: POST /api/jobs ${res.status} ${JSON.stringify(job)}`);
      failed.push(job);
    }
    for (let i = 0; i < failed.length; i++) failed[i] = await waitForJob(open.url, failed[i].id, ["succeeded", "failed", "canceled"], 30_000);
  }, 60_000);

  it("the fake really received every key (so their absence below means something)", () => {
    const presented = fake.requests.map((r) => String(r.headers.authorization ?? ""));
    for (const key of Object.values(KEYS)) expect(presented.some((h) => h.includes(key)), key).toBe(true);
  });

  it("each job failed as auth_failed, with a message that names no key", () => {
    for (const job of failed) {
      expect(job.status, JSON.stringify(job)).toBe("failed");
      expect(job.error?.code, JSON.stringify(job.error)).toBe("auth_failed");
      expect(job.error.message.length).toBeGreaterThan(0);
      expectNoSecret(`job ${job.provider} error`, JSON.stringify(job));
    }
  });

  it("no key in GET /api/providers, /api/jobs/:id or the job lists", async () => {
    expectNoSecret("/api/providers", await (await fetch(`${open.url}/api/providers`)).text());
    for (const job of failed) {
      const one = await fetch(`${open.url}/api/jobs/${job.id}`);
      expect(one.status).toBe(200);
      expectNoSecret(`/api/jobs/${job.id}`, await one.text());
    }
    const list = await getJson(`${open.url}/api/jobs?limit=100`);
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(failed.length);
    expectNoSecret("/api/jobs", JSON.stringify(list.body));
    for (const status of ["failed", "queued", "running"]) {
      expectNoSecret(`/api/jobs?status=${status}`, await (await fetch(`${open.url}/api/jobs?status=${status}&limit=100`)).text());
    }
  });

  it("no key in the HTML of / or of the failed jobs' pages", async () => {
    const home = await fetch(`${open.url}/`);
    expect(home.status).toBe(200);
    expectNoSecret("/", await home.text());
    for (const job of failed) {
      const page = await fetch(`${open.url}/jobs/${job.id}`);
      expect(page.status, `/jobs/${job.id}`).toBe(200);
      expectNoSecret(`/jobs/${job.id}`, await page.text());
    }
  });

  it("no key in any file of the client build (static dir)", () => {
    const dir = path.join(path.resolve(ROOT, process.env.NEXT_DIST_DIR || ".next"), "static");
    expect(fs.existsSync(dir), dir).toBe(true);
    let scanned = 0;
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else {
          scanned++;
          expectNoSecret(path.relative(ROOT, p), fs.readFileSync(p).toString("latin1"));
        }
      }
    };
    walk(dir);
    expect(scanned).toBeGreaterThan(0);
  });

  it("no key in the server logs", () => {
    const logs = open.logs();
    expect(logs.length).toBeGreaterThan(0);
    expectNoSecret("server logs", logs);
  });
});

// ---------------------------------------------------------------------------------------

describe("image routes stay inside the data folder", () => {
  let id = "";
  let original: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    original = await gradientPng(40, 30, 93);
    id = await uploadOk(open.url, original);
  });

  it.each([
    "/api/images/..%2F..%2Fetc%2Fpasswd",
    "/api/images/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd?variant=thumb",
    "/api/images/%2e%2e",
    "/api/images/%2e%2e%2f%2e%2e%2fatelier.db",
    "/api/images/..%2Fatelier.db",
    "/api/images/..%5C..%5Cetc%5Cpasswd",
    "/api/images/%252e%252e%252fetc%252fpasswd",
    "/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV%00",
    "/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV%00.png",
    "/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV?variant=../../x",
    "/api/images/01ARZ3NDEKTSV4RRFFQ69G5FAV?variant=..%2F..%2Fatelier.db",
    "/api/images/originals",
    "/api/images/thumbs?variant=thumb",
  ])("GET %s → 404 (never file content, never 500)", async (rawPath) => {
    const hops = await rawGet(open, rawPath);
    const last = hops[hops.length - 1]!;
    const trail = hops.map((h) => `${h.status} ${h.path}`).join(" → ");
    for (const h of hops) expect(h.status, trail).toBeLessThan(500);
    expect(last.status, trail).toBe(404);
    const text = last.body.toString("latin1");
    expect(text).not.toContain("root:");
    expect(text).not.toContain("SQLite format");
  });

  it("the real image id with a NUL appended → 404", async () => {
    const hops = await rawGet(open, `/api/images/${id}%00`);
    expect(hops.at(-1)!.status).toBe(404);
  });

  it("the real image id with a hostile variant serves at most that image's own bytes", async () => {
    for (const variant of ["../../x", "..%2F..%2Fatelier.db", "../../../../etc/passwd", "thumb%00", "full/../../atelier.db"]) {
      const hops = await rawGet(open, `/api/images/${id}?variant=${variant}`);
      const last = hops.at(-1)!;
      expect(last.status, variant).not.toBeGreaterThanOrEqual(500);
      expect([200, 400, 404], variant).toContain(last.status);
      if (last.status === 200) expect(last.body.equals(original), `${variant}: 200 with bytes other than the image`).toBe(true);
    }
  });
});
