import type { ProviderId } from "../catalog";
import type { Job } from "../generated/prisma/client";

/**
 * The job queue as the worker sees it: jobs are leased to one owner (a worker process) at a
 * time, the owner renews the lease while it runs the job, and a job whose lease ran out is
 * taken over by another owner. Everything a second process must agree on (who runs what,
 * how many run per provider, cancels) lives behind this interface, in the database.
 */
export interface JobQueue {
  /**
   * Hands freshly queued jobs (rows already committed) to the scheduler, where it is not the
   * jobs table itself. Never throws: a job it could not hand over is found by the queue's
   * own reconciliation.
   */
  enqueue(jobs: { id: string; provider: string }[]): Promise<void>;
  /**
   * Leases one job of a provider that has a free slot: a job whose previous owner's lease ran
   * out (`resumed`) before a queued one. `limits` is the most jobs that may hold a lease per
   * provider across every owner; providers left out are not claimed from.
   */
  claim(owner: string, limits: ProviderLimits): Promise<ClaimedJob | null>;
  /** Extends the owner's leases on these jobs and says, per job, whether it is still the owner's to run. */
  renew(owner: string, jobIds: string[]): Promise<Map<string, LeaseState>>;
  /** Only the state, without renewing: cheap enough to ask between two provider calls. */
  state(owner: string, jobId: string): Promise<LeaseState>;
  /** Keeps a step's result on the job (provider id, result links) while the owner still holds it. */
  record(owner: string, jobId: string, data: JobProgress): Promise<void>;
  /** Ends the job as succeeded with its outputs; false when it was canceled meanwhile (the cancel wins). */
  complete(owner: string, jobId: string, result: JobResult): Promise<boolean>;
  fail(owner: string, jobId: string, failure: JobFailure): Promise<void>;
  /**
   * Gives the lease up: a running job stays running for another owner to take over at once
   * (shutdown), a canceled one frees its provider slot (the provider has been told).
   */
  release(owner: string, jobId: string): Promise<void>;
  /** Owners holding a lease on a running job now (a restarted process looks for dead ones among them). */
  leaseHolders(): Promise<string[]>;
  /** Ends every lease of an owner known to be dead, so its jobs are taken over now rather than at expiry. */
  expireLeases(owner: string): Promise<void>;
  /** Queued → canceled at once; running → canceled, and its owner stops it on its next renewal. */
  requestCancel(jobId: string): Promise<CancelOutcome>;
  /** For /api/health: where the queue lives ("sqlite", "pg-boss"). */
  readonly kind: string;
  /** For /api/health: a cheap question to the queue's store; throws when it does not answer. */
  health(): Promise<void>;
}

export type ProviderLimits = Partial<Record<ProviderId, number>>;

export type ClaimedJob = { job: Job; resumed: boolean };

/** held: keep running; canceled: stop and tell the provider; lost: another owner took it over, stop quietly. */
export type LeaseState = "held" | "canceled" | "lost";

/** `region*`: a region edit's crop of the input, in input pixels, once planned. */
export type JobProgress = {
  providerJobId?: string;
  resultUrls?: string;
  regionX?: number;
  regionY?: number;
  regionWidth?: number;
  regionHeight?: number;
};

/** `change*`: edits only, how much of the output changed against the input (lib/region/change.ts). */
export type StoredOutput = { imageId: string; seed: number | null; changeFraction?: number | null; changeOutsideMask?: number | null };

export type JobResult = { costUsd: number | null; outputs: StoredOutput[] };

/** `detail`: the provider's (or the system's) own words, readable length, kept apart from the message. */
export type JobFailure = { code: string; message: string; detail?: string | null };

/** What a cancel found: `running` means the owner still has to stop it (and may be another process). */
export type CancelOutcome = "not_found" | "finished" | "queued" | "running";

export type QueueOptions = {
  now: () => number;
  /** How long a lease lasts without renewal; the worker renews every third of it. */
  leaseMs: number;
};
