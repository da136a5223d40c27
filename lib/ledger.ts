import "server-only";
import { z } from "zod";
import type { Actor } from "./actor";
import { monthFloor, personalBudget, round } from "./budgets";
import { db, dialect } from "./db";
import { env } from "./env";
import { invalid } from "./errors";
import { idFloor } from "./ids";
import { Prisma } from "./generated/prisma/client";
import type { Budget, LedgerDto, LedgerPerson } from "./dto";

const querySchema = z.strictObject({ from: z.iso.date().optional(), to: z.iso.date().optional() });
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Spend per UTC day, provider and model, and per person, from the costs recorded on succeeded jobs. */
export async function getLedger(raw: Record<string, unknown>, actor: Actor, now = Date.now()): Promise<LedgerDto> {
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const to = parsed.data.to ?? day(now);
  const from = parsed.data.from ?? day(Date.parse(to) - 29 * 86_400_000);
  const range = Prisma.sql`status = 'succeeded' AND id >= ${idFloor(Date.parse(from))} AND id < ${idFloor(Date.parse(to) + 86_400_000)}`;
  // Times are stored in UTC on both: SQLite as ISO text, PostgreSQL as a timestamp without zone.
  const pg = dialect() === "postgresql";
  const dayOf = pg ? Prisma.sql`to_char("createdAt", 'YYYY-MM-DD')` : Prisma.sql`substr("createdAt", 1, 10)`;
  // Byte order, as SQLite sorts, whatever collation the PostgreSQL database was made with.
  const bytewise = pg ? Prisma.sql`COLLATE "C"` : Prisma.empty;
  // Counts are bigint on both; PostgreSQL sums them as numeric (a Decimal here): Number() reads either.
  const rows = await db().$queryRaw<{ day: string; provider: string; model: string; jobs: bigint; images: bigint | Prisma.Decimal; costUsd: number | null; unpriced: bigint }[]>`
    SELECT ${dayOf} AS day, provider, model, COUNT(*) AS jobs,
           COALESCE(SUM((SELECT COUNT(*) FROM "JobOutput" o WHERE o."jobId" = "Job".id)), 0) AS images,
           SUM("costUsd") AS "costUsd", COUNT(*) - COUNT("costUsd") AS unpriced
    FROM "Job" WHERE ${range}
    GROUP BY day, provider, model ORDER BY day, provider ${bytewise}, model ${bytewise}`;
  const ledgerRows = rows.map((r) => ({
    day: r.day,
    provider: r.provider,
    model: r.model,
    jobs: Number(r.jobs),
    images: Number(r.images),
    costUsd: round(r.costUsd ?? 0),
  }));
  return {
    from,
    to,
    rows: ledgerRows,
    people: await byPerson(range),
    totalUsd: round(ledgerRows.reduce((sum, r) => sum + r.costUsd, 0)),
    unpricedJobs: rows.reduce((sum, r) => sum + Number(r.unpriced), 0),
    budget: await budgetStatus(actor, now),
  };
}

/** Who made the range's jobs: one GROUP BY, then the emails by key. Removed accounts keep theirs. */
async function byPerson(range: Prisma.Sql): Promise<LedgerPerson[]> {
  const rows = await db().$queryRaw<{ accountId: string | null; jobs: bigint; images: bigint | Prisma.Decimal; costUsd: number | null }[]>`
    SELECT "accountId", COUNT(*) AS jobs,
           COALESCE(SUM((SELECT COUNT(*) FROM "JobOutput" o WHERE o."jobId" = "Job".id)), 0) AS images,
           SUM("costUsd") AS "costUsd"
    FROM "Job" WHERE ${range} GROUP BY "accountId"`;
  const ids = rows.flatMap((r) => (r.accountId ? [r.accountId] : []));
  const emails = new Map(
    ids.length ? (await db().account.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })).map((a) => [a.id, a.email]) : [],
  );
  return rows
    .map((r) => ({
      accountId: r.accountId,
      email: r.accountId ? (emails.get(r.accountId) ?? null) : null,
      jobs: Number(r.jobs),
      images: Number(r.images),
      costUsd: round(r.costUsd ?? 0),
    }))
    .sort((a, b) => b.costUsd - a.costUsd || b.jobs - a.jobs || (a.email ?? "\uffff").localeCompare(b.email ?? "\uffff"));
}

/**
 * This calendar month's (UTC) spend, for the line and warning before a submit. In team mode it
 * is the person's own: their limit and what they spent. Otherwise the studio's, against
 * ATELIER_BUDGET_USD.
 */
export async function budgetStatus(actor: Actor, now = Date.now()): Promise<Budget> {
  if (actor.accountId) {
    const own = await personalBudget(actor.accountId, now);
    return { monthlyUsd: own.limitUsd, spentThisMonthUsd: own.spentUsd, scope: "person", pendingUsd: own.pendingUsd };
  }
  const [row] = await db().$queryRaw<{ spent: number | null }[]>`
    SELECT SUM("costUsd") AS spent FROM "Job" WHERE status = 'succeeded' AND id >= ${monthFloor(now)}`;
  return { monthlyUsd: env().ATELIER_BUDGET_USD ?? null, spentThisMonthUsd: round(row?.spent ?? 0), scope: "studio", pendingUsd: 0 };
}
