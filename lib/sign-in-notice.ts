import "server-only";
import { passwordRequired } from "./auth";
import { db } from "./db";

/**
 * Logged once as the server starts: with accounts, ATELIER_PASSWORD no longer opens anything,
 * and whoever still sets it should hear so from the server, not from a refused sign-in.
 * One count, and only when the password is set.
 */
export async function logSignInMode(): Promise<void> {
  if (!passwordRequired()) return;
  const n = await db().account.count({ where: { removedAt: null } });
  if (n === 0) return;
  const accounts = n === 1 ? "1 account exists" : `${n} accounts exist`;
  console.log(`Team mode: ${accounts}, so sign-in is by email and password; ATELIER_PASSWORD is ignored.`);
}
