import "server-only";
import { db } from "./db";

/**
 * Failed sign-ins per client, after 5 in 10 minutes further tries wait. Kept in the
 * database, so a second server process on the same data shares the budget instead of
 * doubling it.
 */
const WINDOW_MS = 10 * 60_000;
const MAX_FAILURES = 5;

/** How long this client must still wait (0: it may try). */
export async function loginBlockedFor(client: string, now = Date.now()): Promise<number> {
  const recent = await db().loginAttempt.findMany({
    where: { client, at: { gt: new Date(now - WINDOW_MS) } },
    orderBy: { at: "desc" },
    take: MAX_FAILURES,
    select: { at: true },
  });
  return recent.length >= MAX_FAILURES ? WINDOW_MS - (now - recent[MAX_FAILURES - 1]!.at.getTime()) : 0;
}

export async function recordLoginFailure(client: string, now = Date.now()): Promise<void> {
  // Old rows go as new ones come, so an attacker cycling addresses cannot grow the table for long.
  await db().$transaction([
    db().loginAttempt.deleteMany({ where: { at: { lte: new Date(now - WINDOW_MS) } } }),
    db().loginAttempt.create({ data: { client, at: new Date(now) } }),
  ]);
}

export async function clearLoginFailures(client: string): Promise<void> {
  await db().loginAttempt.deleteMany({ where: { client } });
}
