/**
 * Team mode from the outside: `npm run user` adds the first account to a studio that used
 * ATELIER_PASSWORD, the invite link sets a password and signs in, the shared password and its
 * sessions and tokens stop at once; reset and remove end a person's access; a used, expired or
 * made-up invite changes nothing; sign-in does not tell which emails exist (same answer, similar
 * time), is throttled per email and per client, and bad input is a 4xx or a 303, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteLink, setInviteExpiry, userCli } from "../support/accounts";
import { startServer, type TestServer } from "../support/server";
import { backdateSession, storedCounts, storedText } from "../support/stored";
import { until } from "../support/wait";

const SHARED = "the shared studio password";
const JOB = { provider: "demo", prompt: "a lighthouse in fog", aspectRatio: "1:1" };
const SLOW = 120_000; // CLI runs compile TypeScript, and every sign-in hashes with scrypt

let server: TestServer;
let restarted: TestServer | undefined;

beforeAll(async () => {
  // Trusting the proxy: X-Forwarded-For tells clients apart, so each test's throttle is its own.
  server = await startServer({ env: { DEMO_DELAY_MS: "100", ATELIER_PASSWORD: SHARED, ATELIER_TRUST_PROXY: "1" }, readyPath: "/login" });
});

afterAll(async () => {
  await Promise.all([server?.stop(), restarted?.stop()]);
});

let clients = 0;
/** A client address of its own, so no test inherits another's failed sign-ins. */
const freshClient = () => `10.7.${Math.floor(clients / 250)}.${(clients++ % 250) + 1}`;

type Answer = { status: number; location: string | null; cookie: string | undefined };

async function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": freshClient(), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  await res.arrayBuffer();
  const cookie = /atelier_session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))?.[1];
  return { status: res.status, location: res.headers.get("location"), cookie };
}

const signIn = (fields: Record<string, string>, client = freshClient()) => post("/api/login", fields, { "x-forwarded-for": client });
const WRONG = "/login?error=wrong&next=%2F";
const THROTTLED = "/login?error=throttled&next=%2F";

/** Signs in and returns the session cookie, failing loudly otherwise. */
async function session(email: string, password: string): Promise<string> {
  const answer = await signIn({ email, password });
  expect(answer, email).toMatchObject({ status: 303, location: "/" });
  return answer.cookie!;
}

async function statusOf(path: string, headers: Record<string, string>, init: { method?: string; body?: unknown } = {}): Promise<number> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    redirect: "manual",
    headers: { ...headers, ...(init.body !== undefined && { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  await res.arrayBuffer();
  return res.status;
}
const asCookie = (cookie: string) => ({ cookie: `atelier_session=${cookie}` });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function json(path: string, headers: Record<string, string>, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers: { ...headers, ...(init.body !== undefined && { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: await res.json() };
}

async function newToken(cookie: string, name: string): Promise<{ id: string; token: string }> {
  const made = await json("/api/tokens", asCookie(cookie), { method: "POST", body: { name } });
  expect(made.status).toBe(201);
  return made.body;
}

/** The page as text, without React's separators between adjacent text pieces. */
async function page(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(path.startsWith("http") ? path : `${server.url}${path}`, { redirect: "manual" });
  return { status: res.status, text: (await res.text()).replaceAll("<!-- -->", "") };
}

const GONE = "This invite link was used or has expired. Ask an admin for a new one.";

/** `add` (or `reset`) through the CLI; returns the invite link's path. */
async function invite(args: string[]): Promise<string> {
  const result = await userCli(server, args);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  expect(result.stdout).toContain("valid 48 hours");
  const link = inviteLink(result.stdout);
  expect(link.startsWith(`${server.url}/invite/`)).toBe(true);
  return new URL(link).pathname;
}

/** Posts the invite form as a browser would. */
const accept = (path: string, password: string, confirm = password) =>
  post(path.replace("/invite/", "/api/invites/"), { username: "ignored", password, confirm });

/** Invite, set the password: a member (or admin) who can sign in. */
async function person(email: string, password: string, admin = false): Promise<void> {
  const path = await invite(["add", email, ...(admin ? ["--admin"] : [])]);
  expect(await accept(path, password)).toMatchObject({ status: 303, location: "/" });
}

const ADMIN = { email: "admin@example.com", password: "quiet harbour lantern 42" };

describe("the first account", () => {
  it(
    "turns team mode on: the invite sets a password and signs in, and the shared password and its sessions and tokens stop",
    async () => {
      const shared = await signIn({ password: SHARED });
      expect(shared).toMatchObject({ status: 303, location: "/" });
      const sharedToken = await newToken(shared.cookie!, "shared script");
      expect(await statusOf("/api/jobs", asCookie(shared.cookie!))).toBe(200);

      // Upper case in, lower case stored: the email is the sign-in name, whatever its spelling.
      const path = await invite(["add", "Admin@Example.com", "--admin"]);
      await until("the login page asks for an email", async () => (await page("/login")).text.includes('name="email"'));

      expect(await signIn({ password: SHARED })).toMatchObject({ status: 303, location: WRONG, cookie: undefined });
      expect(await signIn({ email: "", password: SHARED })).toMatchObject({ status: 303, location: WRONG, cookie: undefined });
      expect(await statusOf("/api/jobs", asCookie(shared.cookie!))).toBe(401);
      expect(await statusOf("/api/jobs", bearer(sharedToken.token))).toBe(401);
      // Invited but no password yet: nothing signs in as them.
      expect(await signIn({ email: ADMIN.email, password: SHARED })).toMatchObject({ location: WRONG });

      const form = await page(path);
      expect(form.status).toBe(200);
      expect(form.text).toContain(`Set a password for ${ADMIN.email}`);
      expect(form.text).toContain("At least 12 characters, and not a common one");
      expect(form.text).toContain(`action="${path.replace("/invite/", "/api/invites/")}"`);
      expect(form.text).toContain('name="confirm"');

      const accepted = await accept(path, ADMIN.password);
      expect(accepted).toMatchObject({ status: 303, location: "/" });
      expect(accepted.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await statusOf("/api/jobs", asCookie(accepted.cookie!))).toBe(200);
      const cookie = await session(ADMIN.email.toUpperCase(), ADMIN.password);
      expect(await statusOf("/api/jobs", asCookie(cookie))).toBe(200);

      // Neither the password nor the link is kept anywhere, only hashes of them.
      const stored = await storedText(server, ["Account", "Invite", "Session", "ApiToken"]);
      expect(stored).not.toContain(ADMIN.password);
      expect(stored).not.toContain(path.slice("/invite/".length));
      expect(stored).toContain("scrypt$");
    },
    SLOW,
  );

  it(
    "prints the link under http://localhost:PORT without ATELIER_PUBLIC_URL, and refuses bad usage, duplicates and unknown emails",
    async () => {
      const local = await userCli(server, ["add", "local@example.com"], { ATELIER_PUBLIC_URL: "", PORT: "4321" });
      expect(local.code).toBe(0);
      expect(inviteLink(local.stdout)).toMatch(/^http:\/\/localhost:4321\/invite\/[A-Za-z0-9_-]{43}$/);

      const before = await userCli(server, ["list"]);
      const misuses = [[], ["frobnicate"], ["add"], ["remove"], ["list", "extra"], ["add", "a@example.com", "--root"], ["reset", "a@example.com", "b@example.com"]];
      for (const [i, result] of (await Promise.all(misuses.map((args) => userCli(server, args)))).entries()) {
        expect(result.code, misuses[i]!.join(" ")).toBe(1);
        expect(result.stderr, misuses[i]!.join(" ")).toContain("Usage:");
      }
      const duplicate = await userCli(server, ["add", "LOCAL@example.com", "--admin"]);
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toContain("local@example.com already has an account");
      for (const command of ["remove", "reset"]) {
        const unknown = await userCli(server, [command, "nobody@example.com"]);
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain("No account for nobody@example.com");
      }
      // The team keeps an admin: the only one cannot be removed while others remain.
      const lastAdmin = await userCli(server, ["remove", ADMIN.email]);
      expect(lastAdmin.code).toBe(1);
      expect(lastAdmin.stderr).toContain("This is the last admin");
      const notAnEmail = await userCli(server, ["add", "not an email"]);
      expect(notAnEmail.code).toBe(1);
      expect(notAnEmail.stderr).toMatch(/valid email/);
      // Nothing above changed anyone.
      expect((await userCli(server, ["list"])).stdout).toBe(before.stdout);
    },
    SLOW,
  );

  it(
    "lists everyone with role, status and date",
    async () => {
      await invite(["add", "listed@example.com"]);
      const { code, stdout } = await userCli(server, ["list"]);
      expect(code).toBe(0);
      const lines = stdout.trim().split("\n");
      expect(lines[0]).toMatch(/^email\s+role\s+status\s+created$/);
      const today = new Date().toISOString().slice(0, 10);
      expect(lines.find((l) => l.startsWith("admin@example.com"))).toMatch(new RegExp(`^admin@example\\.com\\s+admin\\s+active\\s+${today} \\d\\d:\\d\\d UTC$`));
      expect(lines.find((l) => l.startsWith("listed@example.com"))).toMatch(/^listed@example\.com\s+member\s+invited\s+/);
      expect(stdout).not.toContain("scrypt");
    },
    SLOW,
  );
});

describe("invites", () => {
  it(
    "work once: a used link says so, and posting it again changes nothing",
    async () => {
      const path = await invite(["add", "once@example.com"]);
      expect(await accept(path, "first choice of passphrase")).toMatchObject({ status: 303, location: "/" });

      const used = await page(path);
      expect(used.status).toBe(200);
      expect(used.text).toContain(GONE);
      expect(used.text).not.toContain("<form");
      const sessions = await storedCounts(server, ["Session", "Account"]);
      expect(await accept(path, "second choice of passphrase")).toEqual({ status: 303, location: path, cookie: undefined });
      expect(await storedCounts(server, ["Session", "Account"])).toEqual(sessions);
      expect(await signIn({ email: "once@example.com", password: "second choice of passphrase" })).toMatchObject({ location: WRONG });
      await session("once@example.com", "first choice of passphrase");
    },
    SLOW,
  );

  it(
    "expire after 48 hours: the page says so and the password cannot be set",
    async () => {
      const path = await invite(["add", "late@example.com"]);
      await setInviteExpiry(server, "late@example.com", new Date(Date.now() - 1000));
      expect((await page(path)).text).toContain(GONE);
      const before = await storedCounts(server, ["Session"]);
      expect(await accept(path, "arrived too late again")).toEqual({ status: 303, location: path, cookie: undefined });
      expect(await storedCounts(server, ["Session"])).toEqual(before);
      expect(await signIn({ email: "late@example.com", password: "arrived too late again" })).toMatchObject({ location: WRONG });
      expect((await userCli(server, ["list"])).stdout).toMatch(/late@example\.com\s+member\s+invited/);
    },
    SLOW,
  );

  it(
    "refuse a weak or mismatched password with the reason on the page, and still work afterwards",
    async () => {
      const path = await invite(["add", "weak@example.com"]);
      const before = await storedCounts(server, ["Session", "Invite"]);
      for (const weak of ["Password2024!", "123456789012", "aaaaaaaaaaaa", "short pass", "x".repeat(5000), "tab\tinside the password"]) {
        expect(await accept(path, weak), weak.slice(0, 20)).toEqual({ status: 303, location: `${path}?error=weak`, cookie: undefined });
      }
      expect(await accept(path, "fine passphrase here", "fine passphrase hers")).toEqual({ status: 303, location: `${path}?error=mismatch`, cookie: undefined });
      expect(await storedCounts(server, ["Session", "Invite"])).toEqual(before);

      const weakPage = await page(`${path}?error=weak`);
      expect(weakPage.text).toMatch(/role="alert"[^>]*>That password cannot be used: choose one of at least 12 characters/);
      expect((await page(`${path}?error=mismatch`)).text).toMatch(/role="alert"[^>]*>The two passwords differ/);

      expect(await accept(path, "fine passphrase here")).toMatchObject({ status: 303, location: "/" });
      await session("weak@example.com", "fine passphrase here");
    },
    SLOW,
  );

  it(
    "with a made-up or malformed token lead to the page that says so, never a 500",
    async () => {
      const before = await storedCounts(server, ["Session", "Account", "Invite"]);
      for (const token of ["xyz", "A".repeat(43), "A".repeat(44), "%00", "..%2F..%2Fapi", "A".repeat(3000)]) {
        const answer = await post(`/api/invites/${token}`, { password: "perfectly good passphrase", confirm: "perfectly good passphrase" });
        expect(answer.status, token.slice(0, 20)).toBe(303);
        expect(answer.cookie).toBeUndefined();
        expect(answer.location!.startsWith("/invite/")).toBe(true);
        const shown = await page(answer.location!);
        expect(shown.status, token.slice(0, 20)).toBe(200);
        expect(shown.text).toContain(GONE);
      }
      expect(await storedCounts(server, ["Session", "Account", "Invite"])).toEqual(before);
    },
    SLOW,
  );
});

describe("reset and remove", () => {
  it(
    "reset ends that person's sessions and old password; the new invite works",
    async () => {
      await person("forgetful@example.com", "the first passphrase I chose");
      const [a, b] = [await session("forgetful@example.com", "the first passphrase I chose"), await session("forgetful@example.com", "the first passphrase I chose")];
      const other = await session(ADMIN.email, ADMIN.password);

      const result = await userCli(server, ["reset", "forgetful@example.com"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("valid 48 hours");
      expect(await statusOf("/api/jobs", asCookie(a))).toBe(401);
      expect(await statusOf("/api/jobs", asCookie(b))).toBe(401);
      expect(await statusOf("/api/jobs", asCookie(other))).toBe(200);
      expect(await signIn({ email: "forgetful@example.com", password: "the first passphrase I chose" })).toMatchObject({ location: WRONG, cookie: undefined });

      const path = new URL(inviteLink(result.stdout)).pathname;
      expect(await accept(path, "a second passphrase for me")).toMatchObject({ status: 303, location: "/" });
      await session("forgetful@example.com", "a second passphrase for me");
    },
    SLOW,
  );

  it(
    "remove stops that person's sessions and tokens at once and refuses their sign-in; what they made stays",
    async () => {
      await person("leaver@example.com", "leaving for the coast soon");
      const cookie = await session("leaver@example.com", "leaving for the coast soon");
      const { token } = await newToken(cookie, "leaver's script");
      expect((await json("/api/jobs", bearer(token), { method: "POST", body: JOB })).status).toBe(201);
      const jobs = (await storedCounts(server, ["Job"])).Job;

      const result = await userCli(server, ["remove", "leaver@example.com"]);
      expect(result.code).toBe(0);
      expect(await statusOf("/api/jobs", asCookie(cookie))).toBe(401);
      expect(await statusOf("/api/jobs", bearer(token))).toBe(401);
      expect(await signIn({ email: "leaver@example.com", password: "leaving for the coast soon" })).toMatchObject({ location: WRONG, cookie: undefined });
      expect((await storedCounts(server, ["Job"])).Job).toBe(jobs);
      expect((await userCli(server, ["list"])).stdout).toMatch(/leaver@example\.com\s+member\s+removed/);
      expect((await userCli(server, ["remove", "leaver@example.com"])).code).toBe(1);
    },
    SLOW,
  );
});

describe("sign-in", () => {
  it(
    "answers an unknown email and a wrong password alike, in similar time",
    async () => {
      await person("timing@example.com", "measured in milliseconds");
      const timed = async (email: string) => {
        const started = performance.now();
        const answer = await signIn({ email, password: "not the password at all" });
        return { answer, ms: performance.now() - started };
      };
      // Interleaved, so a slow moment of the machine hits both alike; five each stays under the per-email limit.
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        const k = await timed("timing@example.com");
        const u = await timed(`nobody-${i}@example.com`);
        expect(k.answer).toEqual({ status: 303, location: WRONG, cookie: undefined });
        expect(u.answer).toEqual(k.answer);
        known.push(k.ms);
        unknown.push(u.ms);
      }
      const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[2]!;
      const ratio = median(unknown) / median(known);
      expect(ratio, `unknown ${unknown.map(Math.round)} vs wrong ${known.map(Math.round)}`).toBeGreaterThan(0.5);
      expect(ratio, `unknown ${unknown.map(Math.round)} vs wrong ${known.map(Math.round)}`).toBeLessThan(2);
    },
    SLOW,
  );

  it(
    "waits after 5 failures for one email, from any client, while other emails still sign in",
    async () => {
      await person("target@example.com", "guarded by the throttle");
      for (let i = 0; i < 5; i++) {
        expect(await signIn({ email: "target@example.com", password: `guess number ${i}` })).toMatchObject({ location: WRONG });
      }
      // The right password, from a client that never failed: still the wait.
      expect(await signIn({ email: "Target@example.com", password: "guarded by the throttle" })).toEqual({ status: 303, location: THROTTLED, cookie: undefined });
      await session(ADMIN.email, ADMIN.password);
    },
    SLOW,
  );

  it(
    "waits after 5 failures from one client, whichever emails it tried",
    async () => {
      const client = freshClient();
      for (let i = 0; i < 5; i++) {
        expect(await signIn({ email: `spray-${i}@example.com`, password: "any old guess" }, client)).toMatchObject({ location: WRONG });
      }
      expect(await signIn(ADMIN, client)).toEqual({ status: 303, location: THROTTLED, cookie: undefined });
      await session(ADMIN.email, ADMIN.password);
    },
    SLOW,
  );

  it(
    "refuses forged, altered, expired and revoked sessions and tokens with 401, creating nothing",
    async () => {
      const cookie = await session(ADMIN.email, ADMIN.password);
      const { id: tokenId, token } = await newToken(cookie, "to be revoked");
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);

      const expiring = await session(ADMIN.email, ADMIN.password);
      const current = (await json("/api/sessions", asCookie(expiring))).body.find((s: { current: boolean }) => s.current);
      await backdateSession(server, current.id, 31 * 24 * 3600_000);
      // Refusing it purges its row: done once before counting, so the counts below see only what is made.
      expect(await statusOf("/api/jobs", asCookie(expiring))).toBe(401);
      const revoked = await session(ADMIN.email, ADMIN.password);
      expect((await post("/api/logout", {}, asCookie(revoked))).status).toBe(303);
      expect(await statusOf(`/api/tokens/${tokenId}`, asCookie(cookie), { method: "DELETE" })).toBe(204);

      const refused: Record<string, string>[] = [
        asCookie(flip(cookie, 0)),
        asCookie(cookie.slice(0, -1)),
        asCookie("A".repeat(43)),
        asCookie(expiring),
        asCookie(revoked),
        bearer(token),
        bearer(flip(token, 10)),
        bearer("atk_" + "A".repeat(43)),
        bearer("xyz"),
        { authorization: "xyz" },
        { authorization: `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString("base64")}` },
        // A valid cookie does not rescue a bad Authorization header.
        { ...asCookie(cookie), authorization: "Bearer xyz" },
      ];
      const before = await storedCounts(server, ["Job", "Session", "ApiToken"]);
      for (const headers of refused) {
        expect(await statusOf("/api/jobs", headers, { method: "POST", body: JOB }), JSON.stringify(headers)).toBe(401);
        expect(await statusOf("/api/tokens", headers, { method: "POST", body: { name: "sneaky" } }), JSON.stringify(headers)).toBe(401);
      }
      expect(await storedCounts(server, ["Job", "Session", "ApiToken"])).toEqual(before);
      expect(await statusOf("/api/jobs", asCookie(cookie))).toBe(200);
    },
    SLOW,
  );

  it(
    "answers overlong and control-character input with 400, never 500",
    async () => {
      const before = await storedCounts(server, ["Session", "LoginAttempt"]);
      const bad: Record<string, string>[] = [
        { email: `${"a".repeat(288)}@example.com`, password: "whatever it is" },
        { email: ADMIN.email, password: "p".repeat(5000) },
        { email: "admin@example.com\u0000", password: ADMIN.password },
        { email: "admin@exa\nmple.com", password: ADMIN.password },
      ];
      for (const fields of bad) {
        const res = await fetch(`${server.url}/api/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": freshClient() },
          body: new URLSearchParams(fields).toString(),
        });
        expect(res.status, fields.email!.slice(0, 30)).toBe(400);
        expect((await res.json()).error.code).toBe("invalid_request");
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      expect(await storedCounts(server, ["Session", "LoginAttempt"])).toEqual(before);
      for (const path of ["/invite/xyz", `/invite/${"A".repeat(43)}`]) {
        const shown = await page(path);
        expect(shown.status).toBe(200);
        expect(shown.text).toContain(GONE);
      }
    },
    SLOW,
  );
});

describe("starting with accounts and ATELIER_PASSWORD both set", () => {
  it(
    "logs once that the password is ignored",
    async () => {
      const active = (await userCli(server, ["list"])).stdout.split("\n").filter((l) => / (active|invited)\s/.test(l)).length;
      server.kill();
      await server.exited;
      restarted = await startServer({ dataDir: server.dataDir, env: server.env, ownsDataDir: server.ownsDataDir, readyPath: "/login" });
      server.ownsDataDir = false;
      const line = `Team mode: ${active} accounts exist, so sign-in is by email and password; ATELIER_PASSWORD is ignored.`;
      expect(restarted.logs().split(line).length - 1, restarted.logs()).toBe(1);
      expect(server.logs()).not.toContain("Team mode:");
    },
    SLOW,
  );
});
