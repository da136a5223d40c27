import "server-only";
import { hashSecret, newSessionSecret, SESSION_IDLE_MS, sessionSecret } from "./auth";
import { db } from "./db";
import { notFound } from "./errors";
import { newId } from "./ids";

/** The signed-in browsers: started at sign-in, listed and ended from the account page. */

export type SessionDto = { id: string; device: string; createdAt: string; lastSeenAt: string; current: boolean };

/** A new session for this browser; returns the secret for its cookie (stored nowhere else). */
export async function startSession(userAgent: string, now = Date.now()): Promise<string> {
  const secret = newSessionSecret();
  // Idle rows go as new ones come, so sessions nobody returns to don't pile up.
  await db().$transaction([
    db().session.deleteMany({ where: { lastSeenAt: { lt: new Date(now - SESSION_IDLE_MS) } } }),
    db().session.create({
      data: { id: newId(now), tokenHash: hashSecret(secret), userAgent: userAgent.slice(0, 512), createdAt: new Date(now), lastSeenAt: new Date(now) },
    }),
  ]);
  return secret;
}

/** Ends the session whose cookie this request carries, if any. */
export async function endSession(request: Request): Promise<void> {
  const secret = sessionSecret(request);
  if (secret) await db().session.deleteMany({ where: { tokenHash: hashSecret(secret) } });
}

export async function listSessions(request: Request, now = Date.now()): Promise<SessionDto[]> {
  const secret = sessionSecret(request);
  const currentHash = secret && hashSecret(secret);
  const rows = await db().session.findMany({
    where: { lastSeenAt: { gte: new Date(now - SESSION_IDLE_MS) } },
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

/** With one shared password there is one identity, so "everywhere" is every session. */
export async function revokeAllSessions(): Promise<void> {
  await db().session.deleteMany();
}

export async function revokeSession(id: string): Promise<void> {
  const { count } = await db().session.deleteMany({ where: { id } });
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
