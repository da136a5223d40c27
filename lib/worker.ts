import "server-only";
import { randomBytes } from "node:crypto";
import { CATALOG, findModel, PROVIDER_IDS, type AspectRatioChoice, type Mode, type ProviderId } from "./catalog";
import type { Db } from "./db";
import type { Job } from "./generated/prisma/client";
import { AppError } from "./errors";
import { ingestImage, readImageBytes } from "./images";
import { resolveRatio } from "./sizes";
import { ProviderError, type GenerationRequest, type ProviderAdapter, type ProviderContext, type ProviderImage } from "./providers/types";

export type WorkerDeps = {
  db: Db;
  adapterFor: (id: ProviderId) => ProviderAdapter;
  fetch: typeof fetch;
  now: () => number;
  /** Resolves after ms, or early (rejecting) when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  idleMs: number;
  concurrency?: (id: ProviderId) => number;
  timeouts?: ProviderContext["timeouts"];
  /** An async job not done this long after it started is given up. */
  jobDeadlineMs?: number;
  retry?: RetryPolicy;
  log?: (message: string, extra?: unknown) => void;
};

export type RetryPolicy = { submitAttempts: number; pollAttempts: number; baseDelayMs: number; maxDelayMs: number };

const DEFAULT_POLL_MS = 2000;
const DEFAULT_RETRY: RetryPolicy = { submitAttempts: 4, pollAttempts: 6, baseDelayMs: 1000, maxDelayMs: 120_000 };
const DEFAULT_TIMEOUTS = { syncCallMs: 300_000, requestMs: 60_000 };
const TERMINAL = ["succeeded", "failed", "canceled"];

class Canceled extends Error {}
const SHUTDOWN = Symbol("shutdown");
type StoredOutput = { imageId: string; seed: number | null };

/**
 * Claims queued jobs and runs them through their provider, at most `concurrency` per
 * provider. The claim is one conditional UPDATE, so several workers (or processes)
 * never run the same job. State lives in the database; this object only holds the
 * in-flight promises, so a restart loses nothing.
 */
export class JobWorker {
  readonly id = `w_${process.pid}_${randomBytes(4).toString("hex")}`;
  private readonly inFlight = new Map<string, { provider: ProviderId; controller: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  private refill = false;
  private stopped = true;

  constructor(private readonly deps: WorkerDeps) {}

  /** Takes over jobs left running by a previous process, then starts claiming. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.recover();
    this.timer = setInterval(() => this.kick(), this.deps.idleMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops claiming new jobs; running ones finish (or are resumed by the next process). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /**
   * Graceful shutdown: stop claiming, stop waiting on polls (those jobs stay "running" with
   * their provider id, so the next process resumes them), and give short steps in flight (a
   * sync call, storing a result) up to `graceMs` to finish.
   */
  async shutdown(graceMs: number): Promise<void> {
    await this.stop();
    for (const job of this.inFlight.values()) job.controller.abort(SHUTDOWN);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  kick(): void {
    if (this.stopped) return;
    void this.fill();
  }

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
        // One query says which providers have work, instead of one per provider every tick.
        const waiting = await this.deps.db.job.groupBy({ by: ["provider"], where: { status: "queued" } });
        const providers = PROVIDER_IDS.filter((id) => waiting.some((row) => row.provider === id));
        for (const provider of providers) {
          while (!this.stopped && this.slotsFree(provider) > 0) {
            const job = await this.claimNext(provider);
            if (!job) break;
            this.launch(job);
          }
        }
      } while (this.refill && !this.stopped);
    } catch (error) {
      // A busy database or a transient error must not kill the loop; the next tick retries.
      this.deps.log?.("[worker] claim failed", error);
    } finally {
      this.filling = false;
    }
  }

  private slotsFree(provider: ProviderId): number {
    const limit = this.deps.concurrency?.(provider) ?? CATALOG[provider].concurrency;
    let used = 0;
    for (const job of this.inFlight.values()) if (job.provider === provider) used++;
    return limit - used;
  }

  private async claimNext(provider: ProviderId): Promise<Job | null> {
    const { db, now } = this.deps;
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidate = await db.job.findFirst({ where: { status: "queued", provider }, orderBy: { id: "asc" } });
      if (!candidate) return null;
      const { count } = await db.job.updateMany({
        where: { id: candidate.id, status: "queued" },
        data: { status: "running", claimedBy: this.id, startedAt: new Date(now()), attempts: { increment: 1 } },
      });
      if (count === 1) return db.job.findUnique({ where: { id: candidate.id } });
      // Another worker took it (or it was canceled): look again.
    }
    return null;
  }

  /**
   * Jobs still "running" belong to a process that died. An async job with a saved provider
   * id is polled again; a job whose submission may have reached a paid provider without us
   * learning its id is never re-sent (that could bill twice): it ends "interrupted".
   */
  private async recover(): Promise<void> {
    const { db } = this.deps;
    const orphans = await db.job.findMany({ where: { status: "running", NOT: { claimedBy: this.id } }, orderBy: { id: "asc" } });
    for (const orphan of orphans) {
      const { count } = await db.job.updateMany({
        where: { id: orphan.id, status: "running", claimedBy: orphan.claimedBy },
        data: { claimedBy: this.id },
      });
      if (count !== 1) continue;
      const provider = orphan.provider as ProviderId;
      const billable = CATALOG[provider]?.envKey !== null;
      if (orphan.providerJobId || !billable) {
        this.launch({ ...orphan, claimedBy: this.id });
      } else {
        await this.fail(orphan.id, "interrupted", "The server restarted while the provider was working on this job, so its result was lost. Nothing was re-sent; run it again.");
      }
    }
  }

  private launch(job: Job): void {
    const controller = new AbortController();
    const provider = job.provider as ProviderId;
    const done = this.run(job, controller.signal)
      .catch((error) => this.deps.log?.(`[worker] job ${job.id} crashed`, error))
      .finally(() => {
        this.inFlight.delete(job.id);
        this.kick();
      });
    this.inFlight.set(job.id, { provider, controller, done });
  }

  private async run(job: Job, signal: AbortSignal): Promise<void> {
    const provider = job.provider as ProviderId;
    const adapter = this.deps.adapterFor(provider);
    const ctx: ProviderContext = {
      fetch: this.deps.fetch,
      now: this.deps.now,
      signal,
      timeouts: this.deps.timeouts ?? DEFAULT_TIMEOUTS,
    };
    const retry = this.deps.retry ?? DEFAULT_RETRY;
    const deadline = (job.startedAt?.getTime() ?? this.deps.now()) + (this.deps.jobDeadlineMs ?? 30 * 60_000);
    let providerJobId = job.providerJobId;
    try {
      const request = await this.buildRequest(job);
      // A retried save starts from the result links kept by the failed attempt.
      let images: ProviderImage[] | undefined = job.resultUrls ? (JSON.parse(job.resultUrls) as ProviderImage[]) : undefined;
      let wait = 0;
      if (!providerJobId && !images) {
        // Sent again only when the provider certainly never received it: nothing is billed twice.
        // A cancel does not cut the submission short: the provider may already have taken it,
        // and only its answer gives the id needed to cancel it there.
        const submitCtx = { ...ctx, signal: new AbortController().signal };
        const submitted = await this.withRetry(() => adapter.submit(request, submitCtx), (e) => e.notReceived, retry.submitAttempts, signal);
        if (submitted.status === "done") {
          images = submitted.images;
        } else {
          providerJobId = submitted.providerJobId;
          // Saved before the first poll: after a restart we resume this id instead of paying again.
          await this.deps.db.job.updateMany({ where: { id: job.id, status: "running" }, data: { providerJobId } });
          wait = submitted.pollAfterMs ?? DEFAULT_POLL_MS;
        }
      }
      while (!images) {
        if (!adapter.poll) throw new ProviderError({ code: "internal", userMessage: "This provider cannot be polled." });
        await this.deps.sleep(Math.min(wait, Math.max(0, deadline - this.deps.now())), signal);
        await this.throwIfCanceled(job.id, signal);
        if (this.deps.now() >= deadline) {
          await adapter.cancel?.(providerJobId!, ctx).catch(() => undefined);
          throw new ProviderError({ code: "timeout", userMessage: "The provider did not finish this job in time, so Atelier gave up on it." });
        }
        const id = providerJobId!;
        const polled = await this.withRetry(() => adapter.poll!(id, request, ctx), (e) => e.retryable, retry.pollAttempts, signal);
        if (polled.status === "done") images = polled.images;
        else wait = polled.pollAfterMs ?? DEFAULT_POLL_MS;
      }
      await this.throwIfCanceled(job.id, signal);
      const outputs = await this.store(job.id, images, ctx);
      await this.succeed(job, outputs);
    } catch (error) {
      // Left as it is: the next process picks it up (a saved provider id is polled again).
      if (signal.reason === SHUTDOWN) return;
      if (error instanceof Canceled || signal.aborted) {
        if (providerJobId && adapter.cancel) {
          await adapter.cancel(providerJobId, { ...ctx, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        }
        return;
      }
      const { code, message } = describeFailure(error);
      if (code === "internal") this.deps.log?.(`[worker] job ${job.id} failed`, error);
      await this.fail(job.id, code, message);
    }
  }

  private async withRetry<T>(
    attempt: () => Promise<T>,
    shouldRetry: (error: ProviderError) => boolean,
    attempts: number,
    signal: AbortSignal,
  ): Promise<T> {
    const { baseDelayMs, maxDelayMs } = this.deps.retry ?? DEFAULT_RETRY;
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof ProviderError) || !shouldRetry(error) || i >= attempts || signal.aborted) throw error;
        const backoff = baseDelayMs * 2 ** (i - 1);
        await this.deps.sleep(Math.min(maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0)), signal);
      }
    }
  }

  private async throwIfCanceled(jobId: string, signal: AbortSignal): Promise<void> {
    // A shutdown is not a cancel: a result already in hand is still stored.
    if (signal.aborted && signal.reason !== SHUTDOWN) throw new Canceled();
    const current = await this.deps.db.job.findUnique({ where: { id: jobId }, select: { status: true } });
    if (!current || current.status !== "running") throw new Canceled();
  }

  private async buildRequest(job: Job): Promise<GenerationRequest> {
    const rows =
      job.mode === "edit"
        ? await this.deps.db.jobInput.findMany({ where: { jobId: job.id }, orderBy: { position: "asc" }, include: { image: true } })
        : [];
    const inputs = await Promise.all(
      rows.map(async ({ image }) => ({ bytes: await readImageBytes(image), mime: image.mime, width: image.width, height: image.height })),
    );
    const model = findModel(job.provider as ProviderId, job.model);
    return {
      jobId: job.id,
      model: job.model,
      mode: job.mode as Mode,
      prompt: job.prompt,
      aspectRatio: job.aspectRatio as AspectRatioChoice,
      resolvedRatio: resolveRatio(job.aspectRatio as AspectRatioChoice, inputs[0], model?.aspectRatios),
      seed: job.seed,
      n: job.n,
      inputs,
    };
  }

  /** Downloads (URLs expire) and stores every result before the job counts as done. */
  private async store(jobId: string, images: ProviderImage[], ctx: ProviderContext): Promise<StoredOutput[]> {
    if (images.length === 0) throw new ProviderError({ code: "invalid_response", userMessage: "The provider answered without an image." });
    const links = images.filter((image) => "url" in image);
    if (links.length === images.length) {
      await this.deps.db.job.updateMany({ where: { id: jobId, status: "running" }, data: { resultUrls: JSON.stringify(links) } });
    }
    const stored: StoredOutput[] = [];
    for (const image of images) {
      const bytes = "bytes" in image ? image.bytes : await download(image.url, ctx);
      try {
        stored.push({ imageId: (await ingestImage(bytes, "output")).id, seed: image.seed ?? null });
      } catch (error) {
        if (error instanceof AppError) {
          throw new ProviderError({ code: "invalid_response", userMessage: "The provider returned a file that is not a usable image.", detail: error.message });
        }
        throw new ProviderError({
          code: "storage_failed",
          userMessage:
            links.length === images.length
              ? "The result could not be saved: the data folder is full or not writable. Atelier kept the provider's link; free some space, then choose “Retry saving”."
              : "The result could not be saved: the data folder is full or not writable. The provider sent the image inline, so it could not be kept; free some space and run the job again.",
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return stored;
  }

  private async succeed(job: Job, outputs: StoredOutput[]): Promise<void> {
    const price = findModel(job.provider as ProviderId, job.model)?.priceUsd;
    const costUsd = price == null ? null : Math.round(price * outputs.length * 10_000) / 10_000;
    await this.deps.db.$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id: job.id, status: "running" },
        data: { status: "succeeded", finishedAt: new Date(this.deps.now()), costUsd },
      });
      // Canceled meanwhile: the cancel wins and the outputs stay unattached.
      if (count !== 1) return;
      await tx.jobOutput.createMany({ data: outputs.map(({ imageId, seed }, position) => ({ jobId: job.id, imageId, seed, position })) });
    });
  }

  private async fail(jobId: string, code: string, message: string): Promise<void> {
    await this.deps.db.job.updateMany({
      where: { id: jobId, status: { notIn: TERMINAL } },
      data: { status: "failed", errorCode: code, errorMessage: message, finishedAt: new Date(this.deps.now()) },
    });
  }
}

async function download(url: string, ctx: ProviderContext): Promise<Buffer> {
  let response: Response;
  try {
    response = await ctx.fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeouts.requestMs)]) });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw new ProviderError({ code: "expired", userMessage: "The result could not be downloaded from the provider.", detail: String(error) });
  }
  if (!response.ok) {
    throw new ProviderError({
      code: "expired",
      userMessage: "The provider's result link no longer works, so the image could not be saved.",
      detail: `HTTP ${response.status} for the result URL`,
    });
  }
  return Buffer.from(await response.arrayBuffer());
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof ProviderError) {
    if (!error.detail) return { code: error.code, message: error.userMessage };
    const source = error.code === "storage_failed" ? "The system said" : "Provider said";
    return { code: error.code, message: `${error.userMessage} ${source}: ${error.detail}` };
  }
  return { code: "internal", message: "Something went wrong inside Atelier while running this job." };
}
