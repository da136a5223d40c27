import "server-only";
import { passwordRequired } from "./auth";
import { db } from "./db";
import { hashPassword, verifyPassword } from "./passwords";

const KEY = "sharedPassword";

/**
 * Run as the server starts. Changing ATELIER_PASSWORD is how a shared-password studio shuts
 * everyone out (after a leak, or when someone leaves): the sessions and API tokens made with the
 * old password end here. The database keeps only a salted scrypt hash of the password to compare
 * with, never the password. Instances started with the same password agree, so none ends another's.
 */
export async function settleSharedPassword(): Promise<void> {
  const password = process.env.ATELIER_PASSWORD;
  if (!passwordRequired() || !password) return;
  const stored = await db().setting.findUnique({ where: { key: KEY } });
  if (stored && (await verifyPassword(password, stored.value))) return;
  const value = await hashPassword(password);
  const save = db().setting.upsert({ where: { key: KEY }, create: { key: KEY, value }, update: { value } });
  // No hash yet (a studio from before this check): its sessions are of this password, as far as anyone can tell.
  if (!stored) return void (await save);
  const [sessions, tokens] = await db().$transaction([
    db().session.deleteMany({ where: { accountId: null } }),
    db().apiToken.deleteMany({ where: { accountId: null } }),
    save,
  ]);
  console.log(`ATELIER_PASSWORD changed: ${sessions.count} session(s) and ${tokens.count} API token(s) made with the old one were ended.`);
}
