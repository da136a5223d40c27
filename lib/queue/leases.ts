import "server-only";
import type { Db } from "../db";
import type { CancelOutcome, ClaimedJob, JobFailure, JobProgress, JobQueue, JobResult, LeaseState, ProviderLimits, QueueOptions } from "./types";

const TERMINAL = ["succeeded", "failed", "canceled"];

/**
 * What every queue keeps in the jobs table alike: the owner (`claimedBy`) and its lease
 * (`leaseExpiresAt`) on a running job, progress, the end of a job, and cancels. Each change
 * is one conditional write on the row, so it holds only while the owner still owns the job.
 * A queue adds how jobs are claimed (and how leases are timed and renewed).
 */
export abstract class LeaseQueue implements JobQueue {
  abstract readonly kind: string;
  abstract claim(owner: string, limits: ProviderLimits): Promise<ClaimedJob | null>;
  abstract renew(owner: string, jobIds: string[]): Promise<Map<string, LeaseState>>;
  abstract leaseHolders(): Promise<string[]>;
  abstract health(): Promise<void>;

  constructor(
    protected readonly db: Db,
    protected readonly options: QueueOptions,
  ) {}

  /** The jobs table is the whole queue here: a queued row is all a claim needs. */
  async enqueue(_jobs: { id: string; provider: string }[]): Promise<void> {}

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
}

export function leaseState(owner: string, row: { status: string; claimedBy: string | null } | null | undefined): LeaseState {
  // A deleted job is stopped like a canceled one: nobody wants its result.
  if (!row) return "canceled";
  if (row.claimedBy !== owner) return "lost";
  return row.status === "running" ? "held" : "canceled";
}
