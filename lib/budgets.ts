import "server-only";
import type { Actor } from "./actor";
import { findModel, PROVIDER_IDS, type ProviderId } from "./catalog";
import { formatUsd } from "./client/format";
import { db } from "./db";
import { env } from "./env";
import { AppError } from "./errors";
import { idFloor } from "./ids";

/**
 * Per-person monthly limits (team mode only). A person's limit is the one an admin set on their
 * account, else ATELIER_BUDGET_USD_PER_USER, else none. Without accounts (open or shared-password
 * mode) nobody has a limit here: ATELIER_BUDGET_USD stays a warning, as it always was.
 */

export type Recipe = { provider: string; model: string; n?: number | null };

export const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** Jobs' ids are time-ordered, so "this UTC month" is an id range. */
export const monthFloor = (now: number) => idFloor(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1));

/** What a recipe will cost by the catalog's price per image; unpriced and unknown models count as 0. */
export function estimateUsd(recipe: Recipe): number {
  if (!(PROVIDER_IDS as string[]).includes(recipe.provider)) return 0;
  return (findModel(recipe.provider as ProviderId, recipe.model)?.priceUsd ?? 0) * (recipe.n ?? 1);
}

export const limitOf = (own: number | null) => own ?? env().ATELIER_BUDGET_USD_PER_USER ?? null;

export type PersonalBudget = {
  limitUsd: number | null;
  /** Succeeded jobs' recorded costs this month. */
  spentUsd: number;
  /** The estimate of this month's jobs still queued or running: they will cost this when they finish. */
  pendingUsd: number;
};

export async function personalBudget(accountId: string, now = Date.now()): Promise<PersonalBudget> {
  const floor = monthFloor(now);
  const [account, spent, pending] = await Promise.all([
    db().account.findUnique({ where: { id: accountId }, select: { budgetUsd: true } }),
    db().job.aggregate({ where: { accountId, status: "succeeded", id: { gte: floor } }, _sum: { costUsd: true } }),
    db().job.findMany({ where: { accountId, status: { in: ["queued", "running"] }, id: { gte: floor } }, select: { provider: true, model: true, n: true } }),
  ]);
  return {
    limitUsd: limitOf(account?.budgetUsd ?? null),
    spentUsd: round(spent._sum.costUsd ?? 0),
    pendingUsd: round(pending.reduce((sum, job) => sum + estimateUsd(job), 0)),
  };
}

/**
 * Refuses a submit that would take its person past their monthly limit, saying what is left.
 * Two submits racing each other may both pass: the limit is a spending guard, not an invoice.
 */
export async function checkBudget(actor: Actor, recipes: Recipe[], now = Date.now()): Promise<void> {
  if (!actor.accountId) return;
  const estimate = round(recipes.reduce((sum, recipe) => sum + estimateUsd(recipe), 0));
  if (estimate === 0) return; // a free submit never passes a limit
  const { limitUsd, spentUsd, pendingUsd } = await personalBudget(actor.accountId, now);
  if (limitUsd === null) return;
  if (round(spentUsd + pendingUsd + estimate) <= round(limitUsd)) return;
  const left = Math.max(0, round(limitUsd - spentUsd - pendingUsd));
  throw new AppError(
    "budget_exceeded",
    `This would pass your monthly limit of ${formatUsd(limitUsd)}: ${formatUsd(left)} is left this month` +
      `${pendingUsd > 0 ? `, counting your unfinished jobs` : ""}, and this costs about ${formatUsd(estimate)}. An admin can raise your limit.`,
  );
}

/** This month's succeeded spend per account, for the Team page. */
export async function spendByAccount(now = Date.now()): Promise<Map<string | null, number>> {
  const rows = await db().job.groupBy({ by: ["accountId"], where: { status: "succeeded", id: { gte: monthFloor(now) } }, _sum: { costUsd: true } });
  return new Map(rows.map((row) => [row.accountId, round(row._sum.costUsd ?? 0)]));
}
