import "server-only";
import { findModel, type AspectRatioChoice, type Mode, type ProviderId } from "./catalog";
import type { Db } from "./db";
import { isDatabaseOutage } from "./db-outage";
import type { Job } from "./generated/prisma/client";
import { AppError } from "./errors";
import { ingestImage, readImageBytes } from "./images";
import type { JobFailure, JobProgress, JobResult, LeaseState, StoredOutput } from "./queue/types";
import { type Change, compositeRegion, type Mask, measureChange, prepareRegionEdit, type Rect } from "./region";
import { resolveRatio } from "./sizes";
import { ProviderError, readableDetail, type GenerationRequest, type ProviderAdapter, type ProviderContext, type ProviderImage } from "./providers/types";

export type PipelineDeps = {
  db: Db;
  adapterFor: (id: ProviderId) => ProviderAdapter;
  fetch: typeof fetch;
  now: () => number;
  /** Resolves after ms, or early (rejecting) when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  timeouts?: ProviderContext["timeouts"];
  /** An async job not done this long after it started is given up. */
  jobDeadlineMs?: number;
  retry?: RetryPolicy;
  log?: (message: string, extra?: unknown) => void;
};

export type RetryPolicy = { submitAttempts: number; pollAttempts: number; baseDelayMs: number; maxDelayMs: number };

/** What the pipeline needs from whoever holds the job: it never learns which queue that is. */
export type JobLease = {
  /** Aborted with STOP (leave the job to another owner) or any other reason (canceled). */
  signal: AbortSignal;
  state(): Promise<LeaseState>;
  record(data: JobProgress): Promise<void>;
  /**
   * Runs a step that needs the database, riding out an outage (a restart) for as long as the
   * lease would hold anyway. Without it, a result in hand when the database blinked was left to
   * another owner, which can only end a sync job `interrupted`.
   */
  outlast<T>(step: () => Promise<T>): Promise<T>;
  /** How far along the provider said the job is (0–1), for open tabs; not stored. */
  progress?(fraction: number): void;
};

export type Outcome =
  | { kind: "succeeded"; result: JobResult }
  | ({ kind: "failed" } & JobFailure)
  /** Stopped, and the provider has been told. */
  | { kind: "canceled" }
  /** Left as it is for another owner: a saved provider id is polled again there. */
  | { kind: "stopped" };

/** The abort reason for "stop without canceling": shutdown, or the lease went to another owner. */
export const STOP = Symbol("stop");

const DEFAULT_POLL_MS = 2000;
const DEFAULT_RETRY: RetryPolicy = { submitAttempts: 4, pollAttempts: 6, baseDelayMs: 1000, maxDelayMs: 120_000 };
const DEFAULT_TIMEOUTS = { syncCallMs: 300_000, requestMs: 60_000 };

class Canceled extends Error {}
class Stopped extends Error {}
/** An edit's input, kept to measure each result against; a region edit's mask and crop too. */
type EditSource = { input: Buffer; region: { mask: Mask; rect: Rect } | null };

/** One job from submission to stored images: submit → poll → download → store. */
export async function runPipeline(job: Job, lease: JobLease, deps: PipelineDeps): Promise<Outcome> {
  const { signal } = lease;
  const provider = job.provider as ProviderId;
  const adapter = deps.adapterFor(provider);
  const ctx: ProviderContext = { fetch: deps.fetch, now: deps.now, signal, timeouts: deps.timeouts ?? DEFAULT_TIMEOUTS };
  const retry = deps.retry ?? DEFAULT_RETRY;
  const deadline = (job.startedAt?.getTime() ?? deps.now()) + (deps.jobDeadlineMs ?? 30 * 60_000);
  const withRetry = <T>(attempt: () => Promise<T>, shouldRetry: (e: ProviderError) => boolean, attempts: number) =>
    retrying(attempt, shouldRetry, attempts, signal, deps);
  let providerJobId = job.providerJobId;
  try {
    const { request, edit, progress } = await lease.outlast(() => buildRequest(job, deps.db));
    if (progress) await lease.record(progress);
    // A retried save starts from the result links kept by the failed attempt.
    let images: ProviderImage[] | undefined = job.resultUrls ? (JSON.parse(job.resultUrls) as ProviderImage[]) : undefined;
    let wait = 0;
    if (!providerJobId && !images) {
      // Sent again only when the provider certainly never received it: nothing is billed twice.
      // A cancel does not cut the submission short: the provider may already have taken it,
      // and only its answer gives the id needed to cancel it there.
      const submitCtx = { ...ctx, signal: new AbortController().signal };
      const submitted = await withRetry(() => adapter.submit(request, submitCtx), (e) => e.notReceived, retry.submitAttempts);
      if (submitted.status === "done") {
        images = submitted.images;
      } else {
        providerJobId = submitted.providerJobId;
        // Saved before the first poll: after a crash the next owner resumes this id instead of paying again.
        await lease.record({ providerJobId });
        wait = submitted.pollAfterMs ?? DEFAULT_POLL_MS;
      }
    }
    while (!images) {
      if (!adapter.poll) throw new ProviderError({ code: "internal", userMessage: "This provider cannot be polled." });
      await deps.sleep(Math.min(wait, Math.max(0, deadline - deps.now())), signal);
      await throwIfStopped(lease);
      if (deps.now() >= deadline) {
        await adapter.cancel?.(providerJobId!, ctx).catch(() => undefined);
        throw new ProviderError({ code: "timeout", userMessage: "The provider did not finish this job in time, so Atelier gave up on it." });
      }
      const id = providerJobId!;
      const polled = await withRetry(() => adapter.poll!(id, request, ctx), (e) => e.retryable, retry.pollAttempts);
      if (polled.status === "done") images = polled.images;
      else {
        wait = polled.pollAfterMs ?? DEFAULT_POLL_MS;
        if (polled.progress !== undefined) lease.progress?.(polled.progress);
      }
    }
    await throwIfStopped(lease);
    // Retry saving (lib/library.ts) fetches the result again from kept links or the provider job id.
    const refetchable = Boolean(providerJobId) || images.every((image) => "url" in image);
    const outputs = await store(images, ctx, lease, edit, refetchable, job.accountId);
    const price = findModel(provider, job.model)?.priceUsd;
    const costUsd = price == null ? null : Math.round(price * outputs.length * 10_000) / 10_000;
    return { kind: "succeeded", result: { costUsd, outputs } };
  } catch (error) {
    // The database out of reach for longer than the queue rides out is not the job's fault either:
    // it is left to be taken over (a saved provider id is polled again) once the database is back.
    if (error instanceof Stopped || signal.reason === STOP || isDatabaseOutage(error)) return { kind: "stopped" };
    if (error instanceof Canceled || signal.aborted) {
      if (providerJobId && adapter.cancel) {
        await adapter.cancel(providerJobId, { ...ctx, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      }
      return { kind: "canceled" };
    }
    const failure = describeFailure(error);
    if (failure.code === "internal") deps.log?.(`[worker] job ${job.id} failed`, error);
    return { kind: "failed", ...failure };
  }
}

async function retrying<T>(
  attempt: () => Promise<T>,
  shouldRetry: (error: ProviderError) => boolean,
  attempts: number,
  signal: AbortSignal,
  deps: PipelineDeps,
): Promise<T> {
  const { baseDelayMs, maxDelayMs } = deps.retry ?? DEFAULT_RETRY;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ProviderError) || !shouldRetry(error) || i >= attempts || signal.aborted) throw error;
      const backoff = baseDelayMs * 2 ** (i - 1);
      await deps.sleep(Math.min(maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0)), signal);
    }
  }
}

async function throwIfStopped(lease: JobLease): Promise<void> {
  // A shutdown is not a cancel: a result already in hand is still stored.
  if (lease.signal.aborted && lease.signal.reason !== STOP) throw new Canceled();
  const state = await lease.state();
  if (state === "canceled") throw new Canceled();
  if (state === "lost") throw new Stopped();
}

async function buildRequest(job: Job, db: Db): Promise<{ request: GenerationRequest; edit: EditSource | null; progress: JobProgress | null }> {
  const rows =
    job.mode === "edit" ? await db.jobInput.findMany({ where: { jobId: job.id }, orderBy: { position: "asc" }, include: { image: true } }) : [];
  const inputs = await Promise.all(
    rows.map(async ({ image }) => ({ bytes: await readImageBytes(image), mime: image.mime, width: image.width, height: image.height })),
  );
  const model = findModel(job.provider as ProviderId, job.model);
  const ratio = job.aspectRatio as AspectRatioChoice;
  const recipe = { jobId: job.id, model: job.model, mode: job.mode as Mode, prompt: job.prompt, seed: job.seed, n: job.n };
  const first = inputs[0];
  if (job.maskImageId && first) {
    const maskImage = await db.image.findUnique({ where: { id: job.maskImageId } });
    // Never an unmasked edit instead: that could change the whole picture.
    if (!maskImage) throw new ProviderError({ code: "invalid_request", userMessage: "The mask of this region edit no longer exists." });
    // The provider sees only the crop around the painted region, at its working size and ratio,
    // so it spends its pixels there; the result goes back into the full-size input afterwards.
    const { mask, plan, crop } = await prepareRegionEdit(first.bytes, await readImageBytes(maskImage), model?.aspectRatios ?? [ratio]);
    const { x, y, width, height } = plan.rect;
    return {
      request: {
        ...recipe,
        aspectRatio: plan.ratio,
        resolvedRatio: plan.ratio,
        inputs: [{ bytes: crop, mime: "image/png", width: plan.size.width, height: plan.size.height }],
      },
      edit: { input: first.bytes, region: { mask, rect: plan.rect } },
      progress: { regionX: x, regionY: y, regionWidth: width, regionHeight: height },
    };
  }
  return {
    request: { ...recipe, aspectRatio: ratio, resolvedRatio: resolveRatio(ratio, first, model?.aspectRatios), inputs },
    edit: first ? { input: first.bytes, region: null } : null,
    progress: null,
  };
}

/** Downloads (URLs expire) and stores every result before the job counts as done. */
async function store(
  images: ProviderImage[],
  ctx: ProviderContext,
  lease: JobLease,
  edit: EditSource | null,
  refetchable: boolean,
  accountId: string | null,
): Promise<StoredOutput[]> {
  if (images.length === 0) throw new ProviderError({ code: "invalid_response", userMessage: "The provider answered without an image." });
  const links = images.filter((image) => "url" in image);
  if (links.length === images.length) await lease.record({ resultUrls: JSON.stringify(links) });
  const stored: StoredOutput[] = [];
  for (const image of images) {
    const received = "bytes" in image ? image.bytes : await download(image.url, ctx);
    const { bytes, change } = await measured(received, edit);
    try {
      stored.push({
        imageId: (await lease.outlast(() => ingestImage(bytes, "output", accountId))).id,
        seed: image.seed ?? null,
        changeFraction: change?.fraction ?? null,
        changeOutsideMask: change?.outsideMask ?? null,
      });
    } catch (error) {
      if (isDatabaseOutage(error)) throw error;
      if (error instanceof AppError && !isStorageOutage(error)) {
        throw new ProviderError({ code: "invalid_response", userMessage: "The provider returned a file that is not a usable image.", detail: error.message });
      }
      throw storageFailed(error, refetchable);
    }
  }
  return stored;
}

const isStorageOutage = (error: unknown): boolean => error instanceof AppError && error.code === "storage_unavailable";

/** A result in hand that could not be stored: a full or read-only folder, or a bucket out of reach. */
function storageFailed(error: unknown, refetchable: boolean): ProviderError {
  const [why, fix] = isStorageOutage(error)
    ? ["image storage cannot be reached", "once it is back,"]
    : ["the data folder is full or not writable", "free some space, then"];
  const next = refetchable
    ? `Atelier kept the provider's link; ${fix} choose “Retry saving”.`
    : `The provider sent the image inline, so it could not be kept; ${fix} run the job again.`;
  const cause = error instanceof AppError && error.cause instanceof Error ? error.cause : error;
  return new ProviderError({
    code: "storage_failed",
    userMessage: `The result could not be saved: ${why}. ${next}`,
    detail: cause instanceof Error ? cause.message : String(cause),
  });
}

/** A region edit's result composited into the input (lossless PNG); any edit's change measured. */
async function measured(received: Buffer, edit: EditSource | null): Promise<{ bytes: Buffer; change: Change | null }> {
  if (!edit) return { bytes: received, change: null };
  try {
    if (edit.region) {
      const { png, change } = await compositeRegion(edit.input, received, edit.region.mask, edit.region.rect);
      return { bytes: png, change };
    }
    return { bytes: received, change: await measureChange(edit.input, received, null) };
  } catch (error) {
    throw new ProviderError({
      code: "invalid_response",
      userMessage: "The provider returned a file that is not a usable image.",
      detail: error instanceof Error ? error.message : String(error),
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

/** The words for the designer, and apart from them the raw detail the job page keeps behind "Details". */
function describeFailure(error: unknown): JobFailure {
  if (error instanceof ProviderError) {
    return { code: error.code, message: error.userMessage, detail: error.detail ? readableDetail(error.detail) : null };
  }
  if (isStorageOutage(error)) {
    // Reading the job's input images, before any provider call.
    return { code: "storage_failed", message: "Image storage cannot be reached, so the input images could not be read. Run the job again once it is back.", detail: null };
  }
  return { code: "internal", message: "Something went wrong inside Atelier while running this job.", detail: null };
}
