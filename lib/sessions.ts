import "server-only";
import type { Actor } from "./actor";
import { hashSecret, newSessionSecret, purgeIdleSessions, SESSION_IDLE_MS, sessionSecret } from "./auth";
import { db } from "./db";
import { notFound } from "./errors";
import { newId } from "./ids";

/** The signed-in browsers: started at sign-in, listed and ended from the account page. */

export type SessionDto = { id: string; device: string; createdAt: string; lastSeenAt: string; current: boolean };

/**
 * A new session for this browser, of an account (team mode) or of the shared password (null);
 * returns the secret for its cookie (stored nowhere else).
 */
export async function startSession(userAgent: string, accountId: string | null, now = Date.now()): Promise<string> {
  const secret = newSessionSecret();
  // Idle rows go as new ones come, so sessions nobody returns to don't pile up.
  await purgeIdleSessions(now);
  await db().session.create({
    data: {
      id: newId(now),
      tokenHash: hashSecret(secret),
      accountId,
      userAgent: userAgent.slice(0, 512),
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
    },
  });
  return secret;
}

/** Ends the session whose cookie this request carries, if any. */
export async function endSession(request: Request): Promise<void> {
  const secret = sessionSecret(request);
  if (secret) await db().session.deleteMany({ where: { tokenHash: hashSecret(secret) } });
}

/** One person's sessions (everyone's is the shared password's, without accounts). */
export async function listSessions(request: Request, actor: Actor, now = Date.now()): Promise<SessionDto[]> {
  const secret = sessionSecret(request);
  const currentHash = secret && hashSecret(secret);
  const rows = await db().session.findMany({
    where: { accountId: actor.accountId, lastSeenAt: { gte: new Date(now - SESSION_IDLE_MS) } },
    orderBy: { lastSeenAt: "desc" },
  });
  return rows.map((row) => ({
    id: row.id,
    device: deviceName(row.userAgent),
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    current: row.tokenHash === currentHash,
  }));
}

/** "Sign out everywhere": this person's sessions (with one shared password, every session). */
export async function revokeAllSessions(actor: Actor): Promise<void> {
  await db().session.deleteMany({ where: { accountId: actor.accountId } });
}

export async function revokeSession(id: string, actor: Actor): Promise<void> {
  const { count } = await db().session.deleteMany({ where: { id, accountId: actor.accountId } });
  if (count === 0) throw notFound("No such session");
}

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS/, "Firefox"],
  [/Chrome\/|CriOS/, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Windows/, "Windows"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** "Chrome on macOS" from a User-Agent; order matters, as Edge and Opera also claim Chrome and Safari. */
export function deviceName(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown device";
}
