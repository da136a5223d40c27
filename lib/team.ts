import "server-only";
import { type AccountDto, addAccount, type Invitation, keepAnAdmin, listAccounts, removeAccount, resetAccount, updateAccount } from "./accounts";
import { type Actor, requireAdmin } from "./actor";
import { SESSION_IDLE_MS } from "./auth";
import { limitOf, spendByAccount } from "./budgets";
import { db } from "./db";
import { env } from "./env";
import { AppError, forbidden, notFound } from "./errors";
import { ID_PATTERN } from "./schemas";

/**
 * The admins' Team page and its API: the accounts with this month's spend and limits, and the
 * changes an admin makes by account id. Every function checks the actor is an admin, so no
 * caller can forget; the email-keyed work itself is lib/accounts.ts, shared with the CLI.
 */

export type TeamMember = AccountDto & {
  spentThisMonthUsd: number;
  /** The limit that applies: their own, else ATELIER_BUDGET_USD_PER_USER, else none. */
  limitUsd: number | null;
  /** Live sessions (signed-in browsers). */
  sessions: number;
};

export type Team = {
  accounts: TeamMember[];
  /** ATELIER_BUDGET_USD_PER_USER: the limit of everyone without their own. */
  defaultLimitUsd: number | null;
};

export async function listTeam(actor: Actor, now = Date.now()): Promise<Team> {
  requireAdmin(actor);
  const [accounts, spend, sessions] = await Promise.all([
    listAccounts(),
    spendByAccount(now),
    db().session.groupBy({ by: ["accountId"], where: { accountId: { not: null }, lastSeenAt: { gte: new Date(now - SESSION_IDLE_MS) } }, _count: { _all: true } }),
  ]);
  const sessionsOf = new Map(sessions.map((row) => [row.accountId, row._count._all]));
  return {
    accounts: accounts.map((account) => ({
      ...account,
      spentThisMonthUsd: spend.get(account.id) ?? 0,
      limitUsd: limitOf(account.budgetUsd),
      sessions: sessionsOf.get(account.id) ?? 0,
    })),
    defaultLimitUsd: env().ATELIER_BUDGET_USD_PER_USER ?? null,
  };
}

/** Without accounts this makes the first one, which turns team mode on. */
export async function addMember(actor: Actor, raw: unknown): Promise<Invitation> {
  requireAdmin(actor);
  const body = (raw ?? {}) as { email?: unknown; role?: unknown };
  const first = (await db().account.count({ where: { removedAt: null } })) === 0;
  // A team whose only account is a member has nobody who can manage it.
  if (first && body.role !== "admin") throw new AppError("invalid_request", "The first account must be an admin: add yourself as one first.");
  return addAccount({ email: body.email, role: body.role });
}

export async function updateMember(actor: Actor, id: string, raw: unknown): Promise<AccountDto> {
  requireAdmin(actor);
  await liveAccount(id);
  return updateAccount(id, raw);
}

/** A new invite link; the person's password stops working and every session of theirs ends. */
export async function resetMember(actor: Actor, id: string): Promise<Invitation> {
  requireAdmin(actor);
  const account = await liveAccount(id);
  // It would end this very session and leave the new link on a page that can no longer load.
  if (id === actor.accountId) throw forbidden("You can't reset your own account here: ask another admin, or run npm run user -- reset on the server.");
  return resetAccount(account.email);
}

export async function removeMember(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  const account = await liveAccount(id);
  if (id === actor.accountId) throw forbidden("You can't remove yourself: ask another admin.");
  if (account.role === "admin") await keepAnAdmin(id);
  await removeAccount(account.email);
}

async function liveAccount(id: string): Promise<{ email: string; role: string }> {
  const row = ID_PATTERN.test(id) ? await db().account.findUnique({ where: { id }, select: { email: true, role: true, removedAt: true } }) : null;
  if (!row || row.removedAt) throw notFound("No such account.");
  return row;
}
