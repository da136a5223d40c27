import "server-only";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { CATALOG, PROVIDER_IDS, type ProviderId } from "./catalog";
import { isDatabaseOutage, outageReason, throughOutage } from "./db-outage";
import type { JobSignal } from "./events/types";
import type { Job } from "./generated/prisma/client";
import { runPipeline, STOP, type Outcome, type PipelineDeps } from "./pipeline";
import { SqliteJobQueue } from "./queue/sqlite";
import type { JobProgress, JobQueue, ProviderLimits } from "./queue/types";

export type { RetryPolicy } from "./pipeline";

export type WorkerDeps = PipelineDeps & {
  /** Defaults to the SQLite queue on `db`. */
  queue?: JobQueue;
  idleMs: number;
  /** Most jobs per provider at once, across every process on the queue. */
  concurrency?: (id: ProviderId) => number;
  /** How long a lease lasts; renewed every third of it while the job runs. */
  leaseMs?: number;
  /** Called after start and after each burst of jobs, once none has been in flight for `idleAfterMs` (to return memory). */
  onIdle?: () => void;
  idleAfterMs?: number;
  /** Announces each change this worker makes to a job (lib/events); the pipeline never sees it. */
  publish?: (signal: JobSignal) => void;
};

const DEFAULT_LEASE_MS = 30_000;
/** Longer than the gap between one job and the next of a busy queue, so a steady stream never triggers it. */
const DEFAULT_IDLE_AFTER_MS = 3_000;
const INTERRUPTED =
  "The server restarted while the provider was working on this job, so its result was lost. Nothing was re-sent; run it again.";

/**
 * The loop: claims jobs from the queue, runs each through the pipeline, keeps their leases
 * renewed, and stops them when a renewal says they were canceled (by any process) or taken
 * over. All shared state is in the queue; this object only holds the in-flight promises.
 */
export class JobWorker {
  /** Pid and host in the id let a restarted process see that the previous owner is gone. */
  readonly id = `w_${process.pid}_${randomBytes(4).toString("hex")}@${os.hostname()}`;
  private readonly queue: JobQueue;
  private readonly leaseMs: number;
  private readonly inFlight = new Map<string, { provider: ProviderId; controller: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private filling = false;
  private refill = false;
  private stopped = true;

  constructor(private readonly deps: WorkerDeps) {
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
    this.queue = deps.queue ?? new SqliteJobQueue(deps.db, { now: deps.now, leaseMs: this.leaseMs });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.idleMs);
    this.timer.unref();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
    await this.expireDeadOwners();
    await this.fill();
    // What starting left behind (bundles read, the database engine loaded) goes too.
    if (this.inFlight.size === 0) this.armIdle();
  }

  /** Stops claiming new jobs; running ones finish (or are taken over once their lease ends). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.idleTimer);
  }

  /**
   * Graceful shutdown: stop claiming, stop waiting on polls (those jobs are released with
   * their provider id, so another process resumes them at once), and give short steps in
   * flight (a sync call, storing a result) up to `graceMs` to finish.
   */
  async shutdown(graceMs: number): Promise<void> {
    await this.stop();
    for (const job of this.inFlight.values()) job.controller.abort(STOP);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  kick(): void {
    if (this.stopped) return;
    void this.fill();
  }

  /** The fast path of a cancel made in this process; other processes learn of it on their next renewal. */
  abort(jobId: string): void {
    this.inFlight.get(jobId)?.controller.abort();
  }

  /** Resolves once no job is in flight in this worker (used by tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()].map((j) => j.done));
  }

  get activeCount(): number {
    return this.inFlight.size;
  }

  private async fill(): Promise<void> {
    if (this.filling) {
      this.refill = true;
      return;
    }
    this.filling = true;
    try {
      do {
        this.refill = false;
        while (!this.stopped) {
          const limits = this.freeLimits();
          if (Object.keys(limits).length === 0) break;
          const claimed = await this.queue.claim(this.id, limits);
          if (!claimed) break;
          // Its own job, whose lease had lapsed while renewals failed: the claim renewed it, and it runs on here.
          if (this.inFlight.has(claimed.job.id)) continue;
          if (claimed.resumed && !resumable(claimed.job)) {
            await this.queue.fail(this.id, claimed.job.id, { code: "interrupted", message: INTERRUPTED });
            this.changed(claimed.job.id);
          } else {
            this.changed(claimed.job.id);
            this.launch(claimed.job);
          }
        }
      } while (this.refill && !this.stopped);
    } catch (error) {
      // A busy database or a transient error must not kill the loop; the next tick retries.
      if (isDatabaseOutage(error)) this.deps.log?.(`[worker] claim failed, database out of reach: ${outageReason(error)}`);
      else this.deps.log?.("[worker] claim failed", error);
    } finally {
      this.filling = false;
    }
  }

  /** The limits of providers this worker could still take a job of; the queue checks them across processes. */
  private freeLimits(): ProviderLimits {
    const limits: ProviderLimits = {};
    for (const provider of PROVIDER_IDS) {
      const limit = this.deps.concurrency?.(provider) ?? CATALOG[provider].concurrency;
      let used = 0;
      for (const job of this.inFlight.values()) if (job.provider === provider) used++;
      if (used < limit) limits[provider] = limit;
    }
    return limits;
  }

  /**
   * After a kill -9 the jobs of the previous process on this machine would wait out their
   * leases; a pid that no longer exists cannot be running them, so they are taken over now.
   * A reused pid only means waiting for the lease, as for an owner on another machine.
   */
  private async expireDeadOwners(): Promise<void> {
    for (const owner of await this.queue.leaseHolders()) {
      const match = /^w_(\d+)_[0-9a-f]+@(.+)$/.exec(owner);
      if (match && match[2] === os.hostname() && !processExists(Number(match[1]))) await this.queue.expireLeases(owner);
    }
  }

  private async renew(): Promise<void> {
    if (this.inFlight.size === 0) {
      if (this.stopped) clearInterval(this.renewTimer);
      return;
    }
    try {
      const states = await this.queue.renew(this.id, [...this.inFlight.keys()]);
      for (const [jobId, state] of states) {
        if (state === "held") continue;
        // Canceled elsewhere: stop and tell the provider. Taken over: stop quietly, it is someone else's now.
        this.inFlight.get(jobId)?.controller.abort(state === "lost" ? STOP : undefined);
      }
    } catch (error) {
      if (isDatabaseOutage(error)) this.deps.log?.(`[worker] lease renewal failed, database out of reach: ${outageReason(error)}`);
      else this.deps.log?.("[worker] lease renewal failed", error);
    }
  }

  private launch(job: Job): void {
    clearTimeout(this.idleTimer);
    const controller = new AbortController();
    const lease = {
      signal: controller.signal,
      state: () => this.queue.state(this.id, job.id),
      record: async (data: JobProgress) => {
        await this.queue.record(this.id, job.id, data);
        // Only the planned region shows in a job while it runs; provider ids and links do not.
        if (data.regionX !== undefined) this.changed(job.id);
      },
      progress: (progress: number) => this.deps.publish?.({ kind: "progress", jobId: job.id, progress }),
      outlast: <T>(step: () => Promise<T>) => throughOutage(step, this.leaseMs, (message) => this.deps.log?.(message)),
    };
    const done = runPipeline(job, lease, this.deps)
      .then((outcome) => this.settle(job.id, outcome))
      .catch((error) => this.deps.log?.(`[worker] job ${job.id} crashed`, error))
      .finally(() => {
        this.inFlight.delete(job.id);
        this.kick();
        if (this.inFlight.size === 0) this.armIdle();
      });
    this.inFlight.set(job.id, { provider: job.provider as ProviderId, controller, done });
  }

  private armIdle(): void {
    const { onIdle, idleAfterMs = DEFAULT_IDLE_AFTER_MS } = this.deps;
    if (!onIdle) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.inFlight.size === 0) onIdle();
    }, idleAfterMs);
    this.idleTimer.unref();
  }

  private async settle(jobId: string, outcome: Outcome): Promise<void> {
    if (outcome.kind === "succeeded") await this.queue.complete(this.id, jobId, outcome.result);
    else if (outcome.kind === "failed") await this.queue.fail(this.id, jobId, outcome);
    else await this.queue.release(this.id, jobId);
    this.changed(jobId);
  }

  private changed(jobId: string): void {
    this.deps.publish?.({ kind: "changed", jobId });
  }
}

/**
 * A job whose owner died is polled again when its provider id was saved; one whose
 * submission may have reached a paid provider without us learning its id is never re-sent
 * (that could bill twice): it ends "interrupted".
 */
function resumable(job: Job): boolean {
  return Boolean(job.providerJobId) || CATALOG[job.provider as ProviderId]?.envKey === null;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
