import "server-only";
import { PROVIDER_IDS, type ProviderId } from "../catalog";
import type { Db } from "../db";
import { Prisma } from "../generated/prisma/client";
import type { CancelOutcome, ClaimedJob, JobFailure, JobProgress, JobQueue, JobResult, LeaseState, ProviderLimits, QueueOptions } from "./types";

const TERMINAL = ["succeeded", "failed", "canceled"];

/**
 * The queue in the jobs table itself. Every change is one conditional UPDATE, and SQLite runs
 * one writer at a time, so a claim's capacity check and its write cannot interleave with
 * another process's claim. A provider's slots are the rows holding an unexpired lease, which
 * includes canceled jobs whose owner has not yet told the provider.
 */
export class SqliteJobQueue implements JobQueue {
  readonly kind = "sqlite";

  constructor(
    private readonly db: Db,
    private readonly options: QueueOptions,
  ) {}

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

  async state(owner: string, jobId: string): Promise<LeaseState> {
    return leaseState(owner, await this.db.job.findUnique({ where: { id: jobId }, select: { status: true, claimedBy: true } }));
  }

  async record(owner: string, jobId: string, data: JobProgress): Promise<void> {
    await this.db.job.updateMany({ where: { id: jobId, status: "running", claimedBy: owner }, data });
  }

  async complete(owner: string, jobId: string, { costUsd, outputs }: JobResult): Promise<boolean> {
    const done = await this.db.$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id: jobId, status: "running", claimedBy: owner },
        data: { status: "succeeded", finishedAt: new Date(this.options.now()), costUsd, leaseExpiresAt: null },
      });
      // Canceled meanwhile: the cancel wins and the outputs stay unattached.
      if (count !== 1) return false;
      await tx.jobOutput.createMany({ data: outputs.map(({ imageId, seed, changeFraction, changeOutsideMask }, position) => ({
          jobId,
          imageId,
          seed,
          position,
          changeFraction: changeFraction ?? null,
          changeOutsideMask: changeOutsideMask ?? null,
        })) });
      return true;
    });
    if (!done) await this.release(owner, jobId);
    return done;
  }

  async fail(owner: string, jobId: string, { code, message, detail }: JobFailure): Promise<void> {
    const { count } = await this.db.job.updateMany({
      where: { id: jobId, claimedBy: owner, status: { notIn: TERMINAL } },
      data: { status: "failed", errorCode: code, errorMessage: message, errorDetail: detail ?? null, finishedAt: new Date(this.options.now()), leaseExpiresAt: null },
    });
    if (count !== 1) await this.release(owner, jobId);
  }

  async release(owner: string, jobId: string): Promise<void> {
    await this.db.job.updateMany({ where: { id: jobId, claimedBy: owner }, data: { leaseExpiresAt: null } });
  }

  async leaseHolders(): Promise<string[]> {
    const rows = await this.db.job.findMany({
      where: { status: "running", leaseExpiresAt: { gt: new Date(this.options.now()) } },
      distinct: ["claimedBy"],
      select: { claimedBy: true },
    });
    return rows.flatMap((row) => (row.claimedBy ? [row.claimedBy] : []));
  }

  async expireLeases(owner: string): Promise<void> {
    await this.db.job.updateMany({ where: { claimedBy: owner, leaseExpiresAt: { not: null } }, data: { leaseExpiresAt: null } });
  }

  async requestCancel(jobId: string): Promise<CancelOutcome> {
    const data = { status: "canceled", finishedAt: new Date(this.options.now()), errorCode: null, errorMessage: null, errorDetail: null };
    // The lease stays: the slot is free only once the owner has stopped the job at the provider.
    if ((await this.db.job.updateMany({ where: { id: jobId, status: "queued" }, data })).count === 1) return "queued";
    if ((await this.db.job.updateMany({ where: { id: jobId, status: "running" }, data })).count === 1) return "running";
    return (await this.db.job.count({ where: { id: jobId } })) ? "finished" : "not_found";
  }

  async health(): Promise<void> {
    await this.db.$queryRaw`SELECT 1 FROM "Job" LIMIT 1`;
  }
}

function leaseState(owner: string, row: { status: string; claimedBy: string | null } | null | undefined): LeaseState {
  // A deleted job is stopped like a canceled one: nobody wants its result.
  if (!row) return "canceled";
  if (row.claimedBy !== owner) return "lost";
  return row.status === "running" ? "held" : "canceled";
}
