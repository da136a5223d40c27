import "server-only";
import pg from "pg";
import PgBoss from "pg-boss";
import { PROVIDER_IDS, type ProviderId } from "../catalog";
import type { Db } from "../db";
import { throughOutage } from "../db-outage";
import { LeaseQueue, leaseState } from "./leases";
import type { ClaimedJob, JobFailure, JobProgress, JobResult, LeaseState, ProviderLimits, QueueOptions } from "./types";

/** pg-boss's own schema, next to ours in the same database. */
const SCHEMA = "pgboss";
/** The database's clock, in UTC as Prisma writes every `timestamp` column: one clock for every instance. */
const NOW = `(clock_timestamp() AT TIME ZONE 'UTC')`;
const leaseUntil = (param: number) => `${NOW} + $${param} * interval '1 millisecond'`;
/** Advisory lock space for the per-provider claim lock (any fixed number, the same in every instance). */
const CLAIM_LOCK = 4_182_014;
/** Tokens of jobs that are not claimable (canceled, deleted, still held) are used up on the way; this many per claim at most. */
const TOKENS_PER_CLAIM = 20;
const TAKEOVER_PRIORITY = 1;

const queueName = (provider: string) => `atelier-${provider}`;

type Token = { jobId: string };
type JobRef = { id: string; provider: string };

export type PgBossQueueOptions = QueueOptions & {
  url: string;
  /** How often running jobs whose lease ran out, and rows without a token, get one; default a third of the lease. */
  sweepMs?: number;
  log?: (message: string, extra?: unknown) => void;
};

/**
 * The queue on PostgreSQL, scheduled through pg-boss in the same database.
 *
 * A pg-boss job is a token saying "this Job row waits for a worker", one queue per provider,
 * keyed by the job id (`singletonKey`; the `stately` policy keeps one waiting token per job).
 * Rows stay the truth, with the same owner and lease columns as on SQLite (lib/queue/leases.ts):
 * - Claim: one transaction under a per-provider advisory lock, so claims of one provider take
 *   turns across all instances. It counts the provider's slots, fetches a token with pg-boss
 *   (inside that transaction), moves the row to running under this owner and completes the
 *   token: all of it commits together or not at all. pg-boss's own fetch cannot cap a
 *   provider across instances; the lock and the count can.
 * - A slot is a running row, whatever its lease (after a kill -9 its provider job still runs),
 *   or a canceled one whose owner has not told the provider yet. A takeover needs no free
 *   slot: it continues a job that already holds one.
 * - The sweep (every `sweepMs`, in whichever instance claims) gives a token to each queued row
 *   without one (an enqueue lost to a crash, a deleted token) and to each running row whose
 *   lease ran out (its owner died or stalled), with priority, so another instance takes it over.
 * - Leases, renewal, cancel: as on SQLite, against the database's clock.
 */
export class PgBossJobQueue extends LeaseQueue {
  readonly kind = "pg-boss";
  private readonly pool: pg.Pool;
  private readonly log: (message: string, extra?: unknown) => void;
  private readonly sweepMs: number;
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;
  private lastSweep = 0;

  constructor(db: Db, settings: PgBossQueueOptions) {
    super(db, settings);
    this.log = settings.log ?? ((message, extra) => console.error(message, extra ?? ""));
    this.sweepMs = settings.sweepMs ?? Math.max(250, Math.floor(settings.leaseMs / 3));
    this.pool = new pg.Pool({ connectionString: settings.url, max: 4, application_name: "atelier-queue" });
    // A pooled connection cut while idle (a database restart) is replaced on next use; never an unhandled 'error'.
    this.pool.on("error", (error) => this.log("[queue] idle PostgreSQL connection lost:", error.message));
    // A client checked out for a claim reports a cut both to its query (which throws) and as an
    // 'error' event, which must have a listener or it ends the process.
    this.pool.on("connect", (client) => client.on("error", () => undefined));
  }

  /** Installs or upgrades pg-boss's schema and the provider queues; after a failure (database down) the next call tries again. */
  private ready(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const boss = new PgBoss({
        db: { executeSql: (text, values) => this.pool.query(text, values) },
        schema: SCHEMA,
        schedule: false,
      });
      // pg-boss reports maintenance that failed (a database restart) as 'error': say so, never crash.
      boss.on("error", (error) => this.log("[queue] pg-boss:", error.message));
      await boss.start();
      const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
      for (const provider of PROVIDER_IDS) {
        if (!existing.has(queueName(provider))) await boss.createQueue(queueName(provider), { name: queueName(provider), policy: "stately" });
      }
      this.boss = boss;
      return boss;
    })().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  async enqueue(jobs: JobRef[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await (await this.ready()).insert(jobs.map((job) => token(job, 0)));
    } catch (error) {
      this.log("[queue] jobs saved but not handed to pg-boss yet; the sweep will:", error instanceof Error ? error.message : error);
    }
  }

  async claim(owner: string, limits: ProviderLimits): Promise<ClaimedJob | null> {
    const boss = await this.ready();
    await this.sweepIfDue(boss);
    const providers = PROVIDER_IDS.filter((provider) => limits[provider] !== undefined);
    // A read first: most ticks find no token waiting and take no lock.
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT DISTINCT name FROM ${SCHEMA}.job WHERE name = ANY($1) AND state < 'active' AND start_after < now()`,
      [providers.map(queueName)],
    );
    for (const provider of providers) {
      if (!rows.some((row) => row.name === queueName(provider))) continue;
      const claimed = await this.claimFrom(boss, owner, provider, limits[provider]!);
      if (claimed) return claimed;
    }
    return null;
  }

  private async claimFrom(boss: PgBoss, owner: string, provider: ProviderId, limit: number): Promise<ClaimedJob | null> {
    const name = queueName(provider);
    const client = await this.pool.connect();
    const tx = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
    let claimed: { id: string; resumed: boolean } | null = null;
    try {
      await client.query("BEGIN");
      // Held to the commit: no other instance counts this provider's slots until this claim is in.
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [CLAIM_LOCK, provider]);
      const { rows: [slots] } = await client.query<{ used: number }>(
        `SELECT count(*)::int AS used FROM "Job" WHERE provider = $1 AND (status = 'running' OR "leaseExpiresAt" > ${NOW})`,
        [provider],
      );
      const full = slots!.used >= limit;
      for (let i = 0; i < TOKENS_PER_CLAIM && !claimed; i++) {
        await client.query("SAVEPOINT token");
        const [next] = await boss.fetch<Token>(name, { db: tx });
        if (!next) break;
        const { rows: [job] } = await client.query<{ status: string; expired: boolean }>(
          `SELECT status, ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= ${NOW}) AS expired FROM "Job" WHERE id = $1 FOR UPDATE`,
          [next.data.jobId],
        );
        if (job?.status === "queued") {
          // Takeover tokens come first (priority), so a full provider has none left: this one waits.
          if (full) {
            await client.query("ROLLBACK TO SAVEPOINT token");
            break;
          }
          await client.query(
            `UPDATE "Job" SET status = 'running', "claimedBy" = $2, "startedAt" = ${NOW}, "leaseExpiresAt" = ${leaseUntil(3)}, attempts = attempts + 1 WHERE id = $1`,
            [next.data.jobId, owner, this.options.leaseMs],
          );
          claimed = { id: next.data.jobId, resumed: false };
        } else if (job?.status === "running" && job.expired) {
          await client.query(`UPDATE "Job" SET "claimedBy" = $2, "leaseExpiresAt" = ${leaseUntil(3)} WHERE id = $1`, [
            next.data.jobId,
            owner,
            this.options.leaseMs,
          ]);
          claimed = { id: next.data.jobId, resumed: true };
        }
        // Any other token (canceled, finished, deleted, or still held by a live owner) is used up.
        await boss.complete(name, next.id, { claimedBy: claimed ? owner : null }, { db: tx });
      }
      await client.query("COMMIT");
      client.release();
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release(error as Error);
      throw error;
    }
    return claimed && { job: await this.db.job.findUniqueOrThrow({ where: { id: claimed.id } }), resumed: claimed.resumed };
  }

  private async sweepIfDue(boss: PgBoss): Promise<void> {
    if (Date.now() - this.lastSweep < this.sweepMs) return;
    const { rows } = await this.pool.query<JobRef & { status: string }>(
      `SELECT j.id, j.provider, j.status FROM "Job" j
       WHERE (j.status = 'queued' OR (j.status = 'running' AND (j."leaseExpiresAt" IS NULL OR j."leaseExpiresAt" <= ${NOW})))
         AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.job t WHERE t.name = 'atelier-' || j.provider AND t.singleton_key = j.id AND t.state < 'completed')
       ORDER BY j.id LIMIT 1000`,
    );
    // A token that another instance's sweep or a late enqueue sends meanwhile is refused by the stately policy.
    if (rows.length > 0) await boss.insert(rows.map((row) => token(row, row.status === "running" ? TAKEOVER_PRIORITY : 0)));
    this.lastSweep = Date.now();
  }

  async renew(owner: string, jobIds: string[]): Promise<Map<string, LeaseState>> {
    if (jobIds.length === 0) return new Map();
    // A released lease (null) is not revived.
    await this.pool.query(`UPDATE "Job" SET "leaseExpiresAt" = ${leaseUntil(3)} WHERE id = ANY($1) AND "claimedBy" = $2 AND "leaseExpiresAt" IS NOT NULL`, [
      jobIds,
      owner,
      this.options.leaseMs,
    ]);
    const { rows } = await this.pool.query<{ id: string; status: string; claimedBy: string | null }>(
      `SELECT id, status, "claimedBy" FROM "Job" WHERE id = ANY($1)`,
      [jobIds],
    );
    return new Map(jobIds.map((id) => [id, leaseState(owner, rows.find((row) => row.id === id))]));
  }

  async leaseHolders(): Promise<string[]> {
    const { rows } = await this.pool.query<{ claimedBy: string }>(
      `SELECT DISTINCT "claimedBy" FROM "Job" WHERE status = 'running' AND "claimedBy" IS NOT NULL AND "leaseExpiresAt" > ${NOW}`,
    );
    return rows.map((row) => row.claimedBy);
  }

  async expireLeases(owner: string): Promise<void> {
    await super.expireLeases(owner);
    // Their takeover tokens go out with the next claim rather than a sweep period later.
    this.lastSweep = 0;
  }

  // A job's own steps ride out a database restart for as long as its lease would hold anyway.
  override state(owner: string, jobId: string): Promise<LeaseState> {
    return this.outlasting(() => super.state(owner, jobId));
  }
  override record(owner: string, jobId: string, data: JobProgress): Promise<void> {
    return this.outlasting(() => super.record(owner, jobId, data));
  }
  override complete(owner: string, jobId: string, result: JobResult): Promise<boolean> {
    return this.outlasting(() => super.complete(owner, jobId, result));
  }
  override fail(owner: string, jobId: string, failure: JobFailure): Promise<void> {
    return this.outlasting(() => super.fail(owner, jobId, failure));
  }
  override release(owner: string, jobId: string): Promise<void> {
    return this.outlasting(() => super.release(owner, jobId));
  }

  private outlasting<T>(step: () => Promise<T>): Promise<T> {
    return throughOutage(step, this.options.leaseMs, (message) => this.log(message));
  }

  async health(): Promise<void> {
    await this.ready();
    await this.pool.query(`SELECT version FROM ${SCHEMA}.version`);
  }

  /** Stops pg-boss's maintenance and closes the queue's connections (tests; a process that exits needs nothing). */
  async close(): Promise<void> {
    await this.boss?.stop({ graceful: false, close: false });
    await this.pool.end();
  }
}

function token(job: JobRef, priority: number): PgBoss.JobInsert<Token> {
  return { name: queueName(job.provider), data: { jobId: job.id }, singletonKey: job.id, priority };
}
