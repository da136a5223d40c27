import "server-only";
import { PROVIDER_IDS, type ProviderId } from "../catalog";
import { Prisma } from "../generated/prisma/client";
import { LeaseQueue, leaseState } from "./leases";
import type { ClaimedJob, LeaseState, ProviderLimits } from "./types";

/**
 * The queue in the jobs table itself. Every change is one conditional UPDATE, and SQLite runs
 * one writer at a time, so a claim's capacity check and its write cannot interleave with
 * another process's claim. A provider's slots are the rows holding an unexpired lease, which
 * includes canceled jobs whose owner has not yet told the provider.
 */
export class SqliteJobQueue extends LeaseQueue {
  readonly kind = "sqlite";

  async claim(owner: string, limits: ProviderLimits): Promise<ClaimedJob | null> {
    const now = new Date(this.options.now());
    // A read first: most ticks find nothing to do, and a read takes no write lock.
    const waiting = await this.db.$queryRaw<{ provider: string; queued: number | bigint; stale: number | bigint; live: number | bigint }[]>`
      SELECT provider,
        SUM(status = 'queued') AS queued,
        SUM(status = 'running' AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= ${now}) AND ("claimedBy" IS NULL OR "claimedBy" <> ${owner})) AS stale,
        SUM("leaseExpiresAt" > ${now}) AS live
      FROM "Job" WHERE status IN ('queued', 'running') GROUP BY provider`;
    for (const provider of PROVIDER_IDS) {
      const limit = limits[provider];
      const row = waiting.find((w) => w.provider === provider);
      if (limit === undefined || !row || Number(row.live) >= limit) continue;
      if (Number(row.stale) > 0) {
        const taken = await this.takeOver(owner, provider, limit, now);
        if (taken) return { job: taken, resumed: true };
      }
      if (Number(row.queued) > 0) {
        const claimed = await this.claimQueued(owner, provider, limit, now);
        if (claimed) return { job: claimed, resumed: false };
      }
    }
    return null;
  }

  private async takeOver(owner: string, provider: ProviderId, limit: number, now: Date) {
    const [row] = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE "Job" SET "claimedBy" = ${owner}, "leaseExpiresAt" = ${this.expiry()}
      WHERE id = (
          SELECT id FROM "Job" WHERE status = 'running' AND provider = ${provider}
            AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= ${now})
            AND ("claimedBy" IS NULL OR "claimedBy" <> ${owner})
          ORDER BY id LIMIT 1)
        AND ${this.hasSlot(provider, limit, now)}
      RETURNING id`;
    return row ? this.db.job.findUnique({ where: { id: row.id } }) : null;
  }

  private async claimQueued(owner: string, provider: ProviderId, limit: number, now: Date) {
    const [row] = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE "Job" SET status = 'running', "claimedBy" = ${owner}, "startedAt" = ${now},
        "leaseExpiresAt" = ${this.expiry()}, attempts = attempts + 1
      WHERE id = (SELECT id FROM "Job" WHERE status = 'queued' AND provider = ${provider} ORDER BY id LIMIT 1)
        AND ${this.hasSlot(provider, limit, now)}
      RETURNING id`;
    return row ? this.db.job.findUnique({ where: { id: row.id } }) : null;
  }

  private hasSlot(provider: ProviderId, limit: number, now: Date): Prisma.Sql {
    return Prisma.sql`(SELECT count(*) FROM "Job" WHERE provider = ${provider} AND "leaseExpiresAt" > ${now}) < ${limit}`;
  }

  private expiry(): Date {
    return new Date(this.options.now() + this.options.leaseMs);
  }

  async renew(owner: string, jobIds: string[]): Promise<Map<string, LeaseState>> {
    if (jobIds.length === 0) return new Map();
    // One statement for all of this owner's jobs; a released lease (null) is not revived.
    await this.db.job.updateMany({
      where: { id: { in: jobIds }, claimedBy: owner, leaseExpiresAt: { not: null } },
      data: { leaseExpiresAt: this.expiry() },
    });
    const rows = await this.db.job.findMany({ where: { id: { in: jobIds } }, select: { id: true, status: true, claimedBy: true } });
    return new Map(jobIds.map((id) => [id, leaseState(owner, rows.find((row) => row.id === id))]));
  }

  async leaseHolders(): Promise<string[]> {
    const rows = await this.db.job.findMany({
      where: { status: "running", leaseExpiresAt: { gt: new Date(this.options.now()) } },
      distinct: ["claimedBy"],
      select: { claimedBy: true },
    });
    return rows.flatMap((row) => (row.claimedBy ? [row.claimedBy] : []));
  }

  async health(): Promise<void> {
    await this.db.$queryRaw`SELECT 1 FROM "Job" LIMIT 1`;
  }
}

