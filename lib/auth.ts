import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { db } from "./db";

/**
 * Sign-in for the shared-password mode (ATELIER_PASSWORD) and team mode (accounts: see
 * ./accounts.ts), through server-side sessions and API tokens. Both are random 256-bit secrets of which the database keeps only the sha256: a copy
 * of the database or a leaked cookie tells nothing about the password, and deleting a row
 * ends that session or token on every instance at once. authenticate() is the one check,
 * made by the proxy (Node.js runtime in Next 16, so it reads the database) on every request.
 */

export const SESSION_COOKIE = "atelier_session";
/** Idle sessions end after this long; the cookie lasts as long and is renewed with lastSeenAt. */
export const SESSION_IDLE_MS = 30 * 24 * 3600_000;
/** lastSeenAt (and a token's lastUsedAt) is written at most this often, so reads don't write each time. */
const TOUCH_EVERY_MS = 60_000;

const SECRET = "[A-Za-z0-9_-]{43}"; // 32 random bytes, base64url
export const SECRET_FORMAT = new RegExp(`^${SECRET}$`);
const BEARER_FORMAT = new RegExp(`^Bearer (atk_${SECRET})$`);

export type CallerAccount = { id: string; email: string; role: string };

export type Caller = { account: CallerAccount | null } & (
  | { kind: "session"; sessionId: string; /** lastSeenAt was just renewed: renew the cookie too. */ touched: boolean }
  | { kind: "token"; tokenId: string }
);

export function passwordRequired(): boolean {
  return Boolean(process.env.ATELIER_PASSWORD);
}

const TEAM_CACHE_MS = 2000;
const cache = globalThis as unknown as { atelierTeamMode?: { on: boolean; until: number } };

/**
 * Whether any account exists (and so sign-in is by email). Read at most every 2 s per process:
 * an account added elsewhere (the CLI, another instance) takes effect within that.
 */
export async function teamMode(now = Date.now()): Promise<boolean> {
  const known = cache.atelierTeamMode;
  if (known && now < known.until) return known.on;
  const on = (await db().account.findFirst({ where: { removedAt: null }, select: { id: true } })) !== null;
  cache.atelierTeamMode = { on, until: now + TEAM_CACHE_MS };
  return on;
}

/** After adding or removing an account here, so this process sees the change at once. */
export const forgetTeamMode = () => void (cache.atelierTeamMode = undefined);

const accountSelect = { select: { id: true, email: true, role: true, removedAt: true } } as const;

/**
 * In team mode only an account's own sessions and tokens count: those made with the shared
 * password (no account) stop working once the first account exists.
 */
function belongs(account: (CallerAccount & { removedAt: Date | null }) | null, team: boolean): CallerAccount | null | false {
  if (!team) return null;
  if (!account || account.removedAt) return false;
  return { id: account.id, email: account.email, role: account.role };
}

export const newSessionSecret = () => randomBytes(32).toString("base64url");
export const newApiToken = () => `atk_${randomBytes(32).toString("base64url")}`;
export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

/**
 * Who is calling: an `Authorization: Bearer atk_…` header if there is one (a malformed one is
 * refused, not ignored), otherwise the session cookie. Null when absent, malformed, unknown,
 * revoked or idle too long; an idle session's row is purged as it is refused.
 */
export async function authenticate(request: Request, team: boolean, now = Date.now()): Promise<Caller | null> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const token = BEARER_FORMAT.exec(authorization)?.[1];
    if (!token) return null;
    const row = await db().apiToken.findUnique({
      where: { tokenHash: hashSecret(token) },
      select: { id: true, lastUsedAt: true, account: accountSelect },
    });
    const account = row && belongs(row.account, team);
    if (!row || account === false) return null;
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await db().apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { kind: "token", tokenId: row.id, account };
  }
  const secret = sessionSecret(request);
  if (!secret) return null;
  const row = await db().session.findUnique({
    where: { tokenHash: hashSecret(secret) },
    select: { id: true, lastSeenAt: true, account: accountSelect },
  });
  const account = row && belongs(row.account, team);
  if (!row || account === false) return null;
  const idle = now - row.lastSeenAt.getTime();
  if (idle > SESSION_IDLE_MS) {
    await purgeIdleSessions(now);
    return null;
  }
  // updateMany: a session revoked meanwhile stays gone instead of failing this request.
  const touched =
    idle > TOUCH_EVERY_MS &&
    (await db().session.updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } })).count > 0;
  return { kind: "session", sessionId: row.id, touched, account };
}

export async function purgeIdleSessions(now: number): Promise<void> {
  await db().session.deleteMany({ where: { lastSeenAt: { lt: new Date(now - SESSION_IDLE_MS) } } });
}

/**
 * For an answer that stays open (the event stream): aborts when the request ends, or when a
 * re-check every `everyMs` finds its session or token gone, so a revocation reaches open streams
 * too; in open mode, when the first account turns sign-in on. A database hiccup during a
 * re-check keeps the stream (the next one decides).
 */
export function whileSignedIn(request: Request, everyMs = 10_000): AbortSignal {
  const ended = new AbortController();
  const recheck = setInterval(() => {
    stillAdmitted(request).then(
      (admitted) => {
        if (!admitted) ended.abort();
      },
      () => undefined,
    );
  }, everyMs);
  const finish = () => {
    clearInterval(recheck);
    ended.abort();
  };
  if (request.signal.aborted) finish();
  else request.signal.addEventListener("abort", finish, { once: true });
  ended.signal.addEventListener("abort", () => clearInterval(recheck), { once: true });
  return ended.signal;
}

/** What the proxy would say to this request now. */
async function stillAdmitted(request: Request): Promise<boolean> {
  const team = await teamMode();
  if (!team && !passwordRequired()) return true;
  return (await authenticate(request, team)) !== null;
}

/** The cookie's secret when it has the right shape (anything else cannot be a session). */
export function sessionSecret(request: Request): string | undefined {
  const value = cookieValue(request.headers.get("cookie") ?? "", SESSION_COOKIE);
  return value && SECRET_FORMAT.test(value) ? value : undefined;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * HttpOnly so scripts cannot read it, Lax so other sites cannot post with it, Secure when the
 * browser came over HTTPS (as a trusted proxy in front, ATELIER_TRUST_PROXY=1, tells us).
 */
export function sessionCookie(request: Request, secret: string) {
  return {
    name: SESSION_COOKIE,
    value: secret,
    httpOnly: true,
    sameSite: "lax" as const,
    secure: cameOverHttps(request),
    path: "/",
    maxAge: SESSION_IDLE_MS / 1000,
  };
}

/**
 * The studio itself serves plain HTTP, so HTTPS means a proxy in front said so. Only a trusted
 * one counts: Next builds request.url from X-Forwarded-Proto whoever sent it, so that is no proof.
 */
function cameOverHttps(request: Request): boolean {
  if (process.env.ATELIER_TRUST_PROXY !== "1") return false;
  // The proxy nearest us appends last; earlier values are the client's own claims.
  return request.headers.get("x-forwarded-proto")?.split(",").pop()?.trim().toLowerCase() === "https";
}

/** Constant-time: the time taken does not tell how much of a guess was right. */
export function checkPassword(guess: string): boolean {
  return safeEqual(guess, process.env.ATELIER_PASSWORD ?? "");
}

function safeEqual(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so timingSafeEqual never throws or leaks the length.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b)) && b.length > 0;
}
