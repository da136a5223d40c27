import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { db } from "./db";

/**
 * Optional single-password access (ATELIER_PASSWORD) through server-side sessions and API
 * tokens. Both are random 256-bit secrets of which the database keeps only the sha256: a copy
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
const SESSION_FORMAT = new RegExp(`^${SECRET}$`);
const BEARER_FORMAT = new RegExp(`^Bearer (atk_${SECRET})$`);

export type Caller =
  | { kind: "session"; sessionId: string; /** lastSeenAt was just renewed: renew the cookie too. */ touched: boolean }
  | { kind: "token"; tokenId: string };

export function passwordRequired(): boolean {
  return Boolean(process.env.ATELIER_PASSWORD);
}

export const newSessionSecret = () => randomBytes(32).toString("base64url");
export const newApiToken = () => `atk_${randomBytes(32).toString("base64url")}`;
export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

/**
 * Who is calling: an `Authorization: Bearer atk_…` header if there is one (a malformed one is
 * refused, not ignored), otherwise the session cookie. Null when absent, malformed, unknown,
 * revoked or idle too long; an idle session's row is purged as it is refused.
 */
export async function authenticate(request: Request, now = Date.now()): Promise<Caller | null> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const token = BEARER_FORMAT.exec(authorization)?.[1];
    if (!token) return null;
    const row = await db().apiToken.findUnique({ where: { tokenHash: hashSecret(token) }, select: { id: true, lastUsedAt: true } });
    if (!row) return null;
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await db().apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    }
    return { kind: "token", tokenId: row.id };
  }
  const secret = sessionSecret(request);
  if (!secret) return null;
  const row = await db().session.findUnique({ where: { tokenHash: hashSecret(secret) }, select: { id: true, lastSeenAt: true } });
  if (!row) return null;
  const idle = now - row.lastSeenAt.getTime();
  if (idle > SESSION_IDLE_MS) {
    await db().session.deleteMany({ where: { lastSeenAt: { lt: new Date(now - SESSION_IDLE_MS) } } });
    return null;
  }
  // updateMany: a session revoked meanwhile stays gone instead of failing this request.
  const touched =
    idle > TOUCH_EVERY_MS &&
    (await db().session.updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } })).count > 0;
  return { kind: "session", sessionId: row.id, touched };
}

/**
 * For an answer that stays open (the event stream): aborts when the request ends, or when a
 * re-check every `everyMs` finds its session or token gone, so a revocation reaches open streams
 * too. A database hiccup during a re-check keeps the stream (the next one decides).
 */
export function whileSignedIn(request: Request, everyMs = 10_000): AbortSignal {
  if (!passwordRequired()) return request.signal;
  const ended = new AbortController();
  const recheck = setInterval(() => {
    authenticate(request).then(
      (caller) => {
        if (!caller) ended.abort();
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

/** The cookie's secret when it has the right shape (anything else cannot be a session). */
export function sessionSecret(request: Request): string | undefined {
  const value = cookieValue(request.headers.get("cookie") ?? "", SESSION_COOKIE);
  return value && SESSION_FORMAT.test(value) ? value : undefined;
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
