import "server-only";
import { randomInt } from "node:crypto";
import { type Actor, mayManage, OPEN_ACTOR } from "./actor";
import { checkBudget } from "./budgets";
import { CATALOG, findModel, MATCH_INPUT, type AspectRatioChoice, type Mode, type ProviderId } from "./catalog";
import { splitModelFilter } from "./client/gallery-filter";
import { db } from "./db";
import { type Creator, imageUrl, thumbUrl, type JobDto, type JobPage } from "./dto";
import { jobInclude, type JobRow, readJobs } from "./job-rows";
import { type Image, Prisma } from "./generated/prisma/client";
import { readImageBytes } from "./images";
import { peopleById } from "./people";
import { promptCondition } from "./prompt-search";
import { readMask } from "./region";
import { searchText } from "./search-text";
import { AppError, forbidden, invalid, notFound } from "./errors";
import { publishJob } from "./events";
import { idFloor, newId } from "./ids";
import { isConfigured } from "./provider-info";
import { jobQueue } from "./queue";
import { readableDetail } from "./providers/types";
import {
  createBatchSchema,
  createJobSchema,
  ID_PATTERN,
  listJobsSchema,
  SEED_MAX,
  type CreateJobInput,
  type JobStatus,
  type ListJobsQuery,
} from "./schemas";
import { kickWorker, abortRunningJob } from "./worker-handle";

/** Jobs failed before errorDetail existed carry the detail inside the message: split it off. */
const LEGACY_DETAIL = /^(.*?) (?:Provider said|The system said): ([\s\S]*)$/;

function jobError(code: string, message: string, detail: string | null): NonNullable<JobDto["error"]> {
  if (detail !== null) return { code, message, detail };
  const legacy = LEGACY_DETAIL.exec(message);
  return legacy ? { code, message: legacy[1]!, detail: readableDetail(legacy[2]!) } : { code, message, detail: null };
}

/** A result that could not be stored, whose provider link or job id was kept: it can be fetched again for free. */
export function canRetrySave(job: Pick<JobRow, "status" | "errorCode" | "resultUrls" | "providerJobId">): boolean {
  return job.status === "failed" && job.errorCode === "storage_failed" && Boolean(job.resultUrls || job.providerJobId);
}

/** DTOs for rows, naming their makers from one (usually cached) read of the accounts. */
export async function toJobDtos(rows: JobRow[]): Promise<JobDto[]> {
  const people = await peopleById(rows.map((row) => row.accountId));
  return rows.map((row) => toJobDto(row, people));
}

function toJobDto(job: JobRow, people: Map<string, Creator>): JobDto {
  const ref = ({ image }: { image: Image }) => ({
    imageId: image.id,
    url: imageUrl(image.id),
    thumbUrl: thumbUrl(image.id),
    width: image.width,
    height: image.height,
  });
  return {
    id: job.id,
    provider: job.provider as ProviderId,
    model: job.model,
    mode: job.mode as Mode,
    prompt: job.prompt,
    aspectRatio: job.aspectRatio as AspectRatioChoice,
    seed: job.seed,
    n: job.n,
    status: job.status as JobStatus,
    error: job.errorCode ? jobError(job.errorCode, job.errorMessage ?? "", job.errorDetail) : null,
    canRetrySave: canRetrySave(job),
    inputs: job.inputs.map(ref),
    mask: job.maskImage ? ref({ image: job.maskImage }) : null,
    region:
      job.regionX === null || job.regionY === null || job.regionWidth === null || job.regionHeight === null
        ? null
        : { x: job.regionX, y: job.regionY, width: job.regionWidth, height: job.regionHeight },
    outputs: job.outputs.map((output) => ({
      ...ref(output),
      seed: output.seed,
      favorite: output.image.favorite,
      note: output.image.note,
      change: output.changeFraction === null ? null : { fraction: output.changeFraction, outsideMask: output.changeOutsideMask },
    })),
    costUsd: job.costUsd,
    batchId: job.batchId,
    createdBy: (job.accountId && people.get(job.accountId)) || null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

const unsupported = (message: string) => new AppError("unsupported", message);

type PlannedJob = Omit<Prisma.JobUncheckedCreateInput, "id" | "status" | "inputs"> & { inputIds: string[] };

/** Checks a recipe against its model's capabilities; throws the API error that names the problem. */
async function planJob(input: CreateJobInput): Promise<PlannedJob> {
  const spec = CATALOG[input.provider];
  const model = findModel(input.provider, input.model);
  if (!model) throw new AppError("invalid_request", `${spec.label} has no model "${input.model}".`);
  if (!isConfigured(input.provider)) {
    throw new AppError("provider_not_configured", `${spec.label} needs an API key: set ${spec.envKey} on the server.`);
  }

  const inputIds = input.inputImageIds ?? [];
  const images = inputIds.length ? await db().image.findMany({ where: { id: { in: inputIds } }, select: { id: true } }) : [];
  const missing = inputIds.find((id) => !images.some((image) => image.id === id));
  if (missing) throw new AppError("image_not_found", `Input image ${missing} does not exist.`);

  const mode: Mode = inputIds.length > 0 ? "edit" : "generate";
  if (!model.modes.includes(mode)) {
    throw unsupported(mode === "edit" ? `${model.label} cannot edit images; remove the input image.` : `${model.label} needs an input image.`);
  }
  if (inputIds.length > model.maxInputImages) {
    throw unsupported(`${model.label} takes at most ${model.maxInputImages} input image${model.maxInputImages === 1 ? "" : "s"}.`);
  }
  const aspectRatio = input.aspectRatio ?? (mode === "edit" ? MATCH_INPUT : "1:1");
  if (aspectRatio === MATCH_INPUT && mode === "generate") {
    throw new AppError("invalid_request", "“Match input” needs an input image; pick a ratio instead.");
  }
  if (!model.aspectRatios.includes(aspectRatio)) throw unsupported(`${model.label} does not offer the ${aspectRatio} ratio.`);
  const n = input.n ?? 1;
  if (n < model.minN || n > model.maxN) {
    throw unsupported(`${model.label} makes ${model.minN}–${model.maxN} images per job.`);
  }
  if (input.seed !== undefined && !model.seed) throw unsupported(`${model.label} does not take a seed.`);
  if (input.maskImageId) await checkMask(input.maskImageId, inputIds);
  return {
    provider: input.provider,
    model: model.id,
    mode,
    prompt: input.prompt,
    promptSearch: searchText(input.prompt),
    aspectRatio,
    // Always record a seed, so every result can be reproduced.
    seed: input.seed ?? randomInt(0, SEED_MAX),
    n,
    parentImageId: inputIds[0] ?? null,
    maskImageId: input.maskImageId ?? null,
    inputIds,
  };
}

/** A mask needs exactly one input of its very size, and something painted on it. */
async function checkMask(maskImageId: string, inputIds: string[]): Promise<void> {
  const mask = await db().image.findUnique({ where: { id: maskImageId } });
  if (!mask) throw new AppError("image_not_found", `Mask image ${maskImageId} does not exist.`);
  if (inputIds.length !== 1) throw new AppError("invalid_request", "A mask needs exactly one input image to edit.");
  const input = await db().image.findUniqueOrThrow({ where: { id: inputIds[0]! } });
  // Stored sizes are upright, as the mask is read.
  await readMask(await readImageBytes(mask), { width: input.width, height: input.height });
}

/**
 * Saves planned jobs in one transaction (before any provider work), as the actor's, then hands
 * them to the queue and wakes the worker.
 */
async function insertJobs(planned: PlannedJob[], batchId: string | null, actor: Actor): Promise<JobDto[]> {
  await checkBudget(actor, planned);
  const rows = await db().$transaction(
    planned.map(({ inputIds, ...job }) =>
      db().job.create({
        data: {
          ...job,
          id: newId(),
          status: "queued",
          batchId,
          accountId: actor.accountId,
          inputs: { create: inputIds.map((imageId, position) => ({ imageId, position })) },
        },
        include: jobInclude,
      }),
    ),
  );
  await jobQueue().enqueue(rows);
  for (const row of rows) publishJob({ kind: "changed", jobId: row.id });
  kickWorker();
  return toJobDtos(rows);
}

/** Validates a request against the model's capabilities and queues it. Returns before any provider work. */
export async function createJob(raw: unknown, actor: Actor): Promise<JobDto> {
  const parsed = createJobSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const [job] = await insertJobs([await planJob(parsed.data)], null, actor);
  return job!;
}

/**
 * Variations (the same recipe with new seeds) or a fan-out (the same recipe on several
 * providers/models). All jobs are checked first: one that cannot run refuses the batch.
 */
export async function createBatch(raw: unknown, actor: Actor): Promise<{ batchId: string; jobs: JobDto[] }> {
  const parsed = createBatchSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const { recipe, variations, targets, inputImageIds } = parsed.data;
  // One image's recipe applied to others keeps its seed, so the looks match.
  const seed = recipe.seed ?? randomInt(0, SEED_MAX);
  const recipes = targets
    ? targets.map((target) => ({ ...recipe, ...target, model: target.model }))
    : inputImageIds
      ? inputImageIds.map((id) => ({ ...recipe, seed: findModel(recipe.provider, recipe.model)?.seed ? seed : recipe.seed, inputImageIds: [id] }))
      : Array.from({ length: variations! }, () => ({ ...recipe, seed: undefined }));
  const planned: PlannedJob[] = [];
  for (const one of recipes) planned.push(await planJob(one));
  const batchId = newId();
  return { batchId, jobs: await insertJobs(planned, batchId, actor) };
}

export async function getBatch(batchId: string): Promise<JobDto[]> {
  if (!ID_PATTERN.test(batchId)) throw notFound(`Batch ${batchId} does not exist.`);
  const ids = await db().job.findMany({ where: { batchId }, orderBy: { id: "asc" }, select: { id: true } });
  const rows = await readJobs(ids.map((row) => row.id));
  if (rows.length === 0) throw notFound(`Batch ${batchId} does not exist.`);
  return toJobDtos(rows);
}

export async function getJob(id: string): Promise<JobDto | null> {
  if (!ID_PATTERN.test(id)) return null;
  const [job] = await readJobs([id]);
  return job ? (await toJobDtos([job]))[0]! : null;
}

/**
 * Every job whose state may have changed since `since` (ms): queued and running ones, and those
 * created or finished since. A tab that lost its event stream is sent these on reconnect; a
 * deleted job is the one change this cannot tell.
 */
export async function jobsChangedSince(since: number, limit = 500): Promise<JobDto[]> {
  const after = new Date(since);
  const ids = await db().job.findMany({
    where: { OR: [{ status: { in: ["queued", "running"] } }, { finishedAt: { gte: after } }, { createdAt: { gte: after } }] },
    orderBy: { id: "desc" },
    take: limit,
    select: { id: true },
  });
  return toJobDtos(await readJobs(ids.map((row) => row.id)));
}

export async function requireJob(id: string): Promise<JobDto> {
  const job = await getJob(id);
  if (!job) throw notFound(`Job ${id} does not exist.`);
  return job;
}

/**
 * One gallery page. Ids are time-ordered, so the id is both the sort key and the keyset
 * cursor, and a date range is an id range (no scan of timestamps).
 */
export async function listJobs(raw: Partial<ListJobsQuery> | Record<string, unknown>, actor: Actor = OPEN_ACTOR): Promise<JobPage> {
  const parsed = listJobsSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const { limit, cursor, status, provider, model, mode, from, to, favorite, sort, q, by } = parsed.data;
  // `me` without accounts: what was made without one, as this actor makes it.
  const maker = by === "me" ? actor.accountId : by;
  const newest = sort === "newest";
  // `model=provider:model` narrows both columns; with `provider=` too, both must hold.
  const scoped = model === undefined ? undefined : splitModelFilter(model);
  const search = q === undefined ? undefined : await promptCondition(q);
  if (search === null) return { items: [], nextCursor: null };
  const where = [
    cursor && (newest ? Prisma.sql`id < ${cursor}` : Prisma.sql`id > ${cursor}`),
    status && Prisma.sql`status = ${status}`,
    provider && Prisma.sql`provider = ${provider}`,
    scoped?.provider && Prisma.sql`provider = ${scoped.provider}`,
    scoped && Prisma.sql`model = ${scoped.model}`,
    mode && Prisma.sql`mode = ${mode}`,
    maker !== undefined && (maker === null ? Prisma.sql`"accountId" IS NULL` : Prisma.sql`"accountId" = ${maker}`),
    from && Prisma.sql`id >= ${idFloor(Date.parse(from))}`,
    to && Prisma.sql`id < ${idFloor(Date.parse(to) + 86_400_000)}`,
    favorite &&
      Prisma.sql`EXISTS (SELECT 1 FROM "JobOutput" o JOIN "Image" i ON i.id = o."imageId" WHERE o."jobId" = "Job".id AND i.favorite = TRUE)`,
    search,
  ].filter((clause): clause is Prisma.Sql => Boolean(clause));
  const ids = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM "Job"
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY id ${newest ? Prisma.sql`DESC` : Prisma.sql`ASC`} LIMIT ${limit + 1}`;
  const page = ids.slice(0, limit).map((row) => row.id);
  const rows = await readJobs(page);
  const items = await toJobDtos(rows);
  return { items, nextCursor: ids.length > limit ? (page[page.length - 1] ?? null) : null };
}

/**
 * Through the database, so it reaches whichever process runs the job: a queued job is
 * canceled at once; a running one is marked canceled and its owner stops it (and cancels
 * it at the provider) on its next lease renewal, or at once when it runs in this process.
 */
export async function cancelJob(id: string, actor: Actor): Promise<JobDto> {
  const job = await requireJob(id);
  if (!mayManage(actor, job.createdBy?.id ?? null)) throw forbidden("This job is someone else's: only they or an admin can cancel it.");
  const outcome = await jobQueue().requestCancel(id);
  if (outcome === "not_found") throw notFound(`Job ${id} does not exist.`);
  if (outcome === "finished") {
    throw new AppError("already_finished", `This job already ${job.status === "succeeded" ? "succeeded" : `ended (${job.status})`}.`);
  }
  if (outcome === "running") abortRunningJob(id);
  publishJob({ kind: "changed", jobId: id });
  return requireJob(id);
}
