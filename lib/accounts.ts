import "server-only";
import { z } from "zod";
import type { Role } from "./actor";
import { forgetTeamMode, hashSecret, newSessionSecret, SECRET_FORMAT } from "./auth";
import { db } from "./db";
import { AppError, invalid, notFound } from "./errors";
import { newId } from "./ids";
import { forgetPeople } from "./people";
import { decoyHash, hashPassword, newPasswordSchema, verifyPassword } from "./passwords";

/**
 * Team accounts. The first one turns team mode on (sign-in by email and password; the shared
 * ATELIER_PASSWORD stops working). People join through a one-time invite link where they set
 * their own password; a reset is a new invite. Removed accounts are kept, marked, so the
 * history still names who made what.
 */

export const INVITE_VALID_MS = 48 * 3600_000;
export const EMAIL_MAX_LENGTH = 254;

export const emailSchema = z
  .string({ error: "Enter an email address" })
  .trim()
  .max(EMAIL_MAX_LENGTH, "That email address is too long")
  .pipe(z.email({ error: "Enter a valid email address" }))
  .transform((email) => email.toLowerCase());

export const roleSchema = z.enum(["admin", "member"]);

export type AccountDto = {
  id: string;
  email: string;
  role: Role;
  /** invited: no password set yet. */
  status: "active" | "invited" | "removed";
  budgetUsd: number | null;
  createdAt: string;
};

export type Invitation = { account: AccountDto; token: string; path: string; expiresAt: string };

type AccountRow = { id: string; email: string; role: string; passwordHash: string | null; budgetUsd: number | null; createdAt: Date; removedAt: Date | null };

export function toAccountDto(row: AccountRow): AccountDto {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    status: row.removedAt ? "removed" : row.passwordHash ? "active" : "invited",
    budgetUsd: row.budgetUsd,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listAccounts(): Promise<AccountDto[]> {
  const rows = await db().account.findMany({ orderBy: [{ removedAt: { sort: "asc", nulls: "first" } }, { email: "asc" }] });
  return rows.map(toAccountDto);
}

async function findByEmail(rawEmail: unknown): Promise<AccountRow> {
  const email = emailSchema.safeParse(rawEmail);
  if (!email.success) throw invalid(email.error);
  const row = await db().account.findUnique({ where: { email: email.data } });
  if (!row || row.removedAt) throw notFound(`No account for ${email.data}.`);
  return row;
}

/** A new account (or a removed one brought back) and its invite link. */
export async function addAccount(raw: { email: unknown; role?: unknown }, now = Date.now()): Promise<Invitation> {
  const parsed = z.object({ email: emailSchema, role: roleSchema.default("member") }).safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const { email, role } = parsed.data;
  const existing = await db().account.findUnique({ where: { email } });
  if (existing && !existing.removedAt) throw new AppError("conflict", `${email} already has an account.`);
  const account = existing
    ? await db().account.update({ where: { id: existing.id }, data: { role, removedAt: null, passwordHash: null } })
    : await db()
        .account.create({ data: { id: newId(now), email, role, createdAt: new Date(now) } })
        // Two adds of one email at once (the CLI and the Team page): the unique email decides, and the loser hears why.
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === "P2002") throw new AppError("conflict", `${email} already has an account.`);
          throw error;
        });
  forgetTeamMode();
  forgetPeople();
  return invite(account, now);
}

/** A new invite for someone who forgot their password: the old password stops, and every session ends. */
export async function resetAccount(rawEmail: unknown, now = Date.now()): Promise<Invitation> {
  const row = await findByEmail(rawEmail);
  const [account] = await db().$transaction([
    db().account.update({ where: { id: row.id }, data: { passwordHash: null } }),
    db().session.deleteMany({ where: { accountId: row.id } }),
  ]);
  return invite(account, now);
}

/** Signs the person out everywhere and stops their tokens and invites; their work stays, attributed. */
export async function removeAccount(rawEmail: unknown, now = Date.now()): Promise<AccountDto> {
  const row = await findByEmail(rawEmail);
  // The last account may go (back to the shared password or open mode), but not the last admin of a team.
  const others = await db().account.count({ where: { removedAt: null, id: { not: row.id } } });
  if (row.role === "admin" && others > 0) await keepAnAdmin(row.id);
  const [account] = await db().$transaction([
    db().account.update({ where: { id: row.id }, data: { removedAt: new Date(now), passwordHash: null } }),
    db().session.deleteMany({ where: { accountId: row.id } }),
    db().apiToken.deleteMany({ where: { accountId: row.id } }),
    db().invite.deleteMany({ where: { accountId: row.id } }),
  ]);
  forgetTeamMode();
  forgetPeople();
  return toAccountDto(account);
}

/** Only the newest invite works: making one withdraws the earlier ones. */
async function invite(account: AccountRow, now: number): Promise<Invitation> {
  const token = newSessionSecret();
  const expiresAt = new Date(now + INVITE_VALID_MS);
  await db().$transaction([
    db().invite.deleteMany({ where: { OR: [{ accountId: account.id }, { expiresAt: { lt: new Date(now) } }] } }),
    db().invite.create({ data: { id: newId(now), accountId: account.id, tokenHash: hashSecret(token), createdAt: new Date(now), expiresAt } }),
  ]);
  return { account: toAccountDto(account), token, path: `/invite/${token}`, expiresAt: expiresAt.toISOString() };
}

/** The account a live invite is for, or null when it is malformed, used, withdrawn or expired. */
export async function findInvite(token: string, now = Date.now()): Promise<{ id: string; email: string } | null> {
  if (!SECRET_FORMAT.test(token)) return null;
  const row = await db().invite.findUnique({ where: { tokenHash: hashSecret(token) }, include: { account: true } });
  if (!row || row.expiresAt.getTime() <= now || row.account.removedAt) return null;
  return { id: row.account.id, email: row.account.email };
}

/** Sets the password an invite asks for and uses the invite up; returns the account to sign in. */
export async function acceptInvite(token: string, rawPassword: unknown, now = Date.now()): Promise<string> {
  const password = newPasswordSchema.safeParse(rawPassword);
  if (!password.success) throw invalid(password.error);
  const account = await findInvite(token, now);
  if (!account) throw new AppError("invite_invalid", "This invite link was used, replaced or has expired. Ask an admin for a new one.");
  const passwordHash = await hashPassword(password.data);
  // Deleting the invite is the claim: of two tabs posting at once, only one sets the password.
  // One transaction with the password, so a failure between the two cannot use the link up for
  // nothing; the claim itself checks the expiry too, as the row may have changed since findInvite.
  await db().$transaction(async (tx) => {
    const { count } = await tx.invite.deleteMany({ where: { tokenHash: hashSecret(token), expiresAt: { gt: new Date(now) } } });
    if (count === 0) throw new AppError("invite_invalid", "This invite link was just used.");
    await tx.account.update({ where: { id: account.id }, data: { passwordHash } });
  });
  return account.id;
}

/**
 * The account these credentials open, or null. An unknown email costs the same scrypt work as a
 * wrong password, so neither the answer nor its time tells whether the account exists.
 */
export async function checkCredentials(rawEmail: string, password: string): Promise<{ id: string } | null> {
  const email = emailSchema.safeParse(rawEmail);
  const row = email.success ? await db().account.findUnique({ where: { email: email.data } }) : null;
  const usable = row && !row.removedAt && row.passwordHash ? row : null;
  const ok = await verifyPassword(password.slice(0, 1024), usable?.passwordHash ?? (await decoyHash()));
  return ok && usable ? { id: usable.id } : null;
}

const updateSchema = z.strictObject({
  role: roleSchema.optional(),
  /** null: back to ATELIER_BUDGET_USD_PER_USER. */
  budgetUsd: z.number().nonnegative().max(1_000_000).nullable().optional(),
});

/** An admin's changes to one account: role, or that person's monthly limit. */
export async function updateAccount(id: string, raw: unknown): Promise<AccountDto> {
  const parsed = updateSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const row = await db().account.findUnique({ where: { id } });
  if (!row || row.removedAt) throw notFound("No such account.");
  if (parsed.data.role === "member" && row.role === "admin") await keepAnAdmin(id);
  return toAccountDto(await db().account.update({ where: { id }, data: parsed.data }));
}

/** Refuses to take away the last admin, which would leave nobody to manage the team. */
export async function keepAnAdmin(leavingId: string): Promise<void> {
  const others = await db().account.count({ where: { role: "admin", removedAt: null, id: { not: leavingId } } });
  if (others === 0) throw new AppError("conflict", "This is the last admin: make someone else an admin first.");
}
