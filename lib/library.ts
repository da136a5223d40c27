import "server-only";
import { type Actor, mayManage } from "./actor";
import { db } from "./db";
import { thumbUrl, type Lineage, type LineageNode } from "./dto";
import { AppError, forbidden, invalid, notFound } from "./errors";
import { publishJob } from "./events";
import { canRetrySave, createJob, getJob } from "./jobs";
import { jobQueue } from "./queue";
import { ID_PATTERN, imageMetaSchema, jobIdsSchema } from "./schemas";
import { storage } from "./storage";
import { abortRunningJob, kickWorker } from "./worker-handle";
import type { JobDto } from "./dto";

/** Favourite and note of one image. */
export async function updateImageMeta(id: string, raw: unknown): Promise<{ id: string; favorite: boolean; note: string | null }> {
  const parsed = imageMetaSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  if (!ID_PATTERN.test(id) || !(await db().image.findUnique({ where: { id }, select: { id: true } }))) {
    throw notFound("No such image.");
  }
  const { favorite, note } = parsed.data;
  return db().image.update({
    where: { id },
    data: { ...(favorite !== undefined && { favorite }), ...(note !== undefined && { note: note || null }) },
    select: { id: true, favorite: true, note: true },
  });
}

/** Runs a job's recipe again, seed and inputs included: the same result, or the same failure fixed. */
export async function rerunJob(id: string, actor: Actor): Promise<JobDto> {
  const job = ID_PATTERN.test(id) ? await db().job.findUnique({ where: { id }, include: { inputs: { orderBy: { position: "asc" } } } }) : null;
  if (!job) throw notFound(`Job ${id} does not exist.`);
  return createJob({
    provider: job.provider,
    model: job.model,
    prompt: job.prompt,
    aspectRatio: job.aspectRatio,
    seed: job.seed,
    n: job.n,
    inputImageIds: job.inputs.map((input) => input.imageId),
    // The same mask, so the re-run changes the same region.
    ...(job.maskImageId && { maskImageId: job.maskImageId }),
  }, actor);
}

/**
 * Deletes jobs and every image only they used (rows and files). An image still used by
 * another job, as input or output, stays. Running jobs are canceled first. A member deletes
 * only jobs made with their account (not those made before accounts); an admin, any.
 */
export async function deleteJobs(raw: unknown, actor: Actor): Promise<{ deleted: number; imagesRemoved: number }> {
  const parsed = jobIdsSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const jobs = await db().job.findMany({
    where: { id: { in: parsed.data.ids } },
    select: { id: true, accountId: true, maskImageId: true, inputs: { select: { imageId: true } }, outputs: { select: { imageId: true } } },
  });
  // All or nothing: half a selection gone would leave the member guessing which half.
  const others = jobs.filter((job) => !mayManage(actor, job.accountId)).length;
  if (others > 0) {
    throw forbidden(
      others === 1 && jobs.length === 1
        ? "This job is someone else's: you can delete only your own. Nothing was deleted."
        : `${others} of these ${jobs.length} jobs are someone else's: you can delete only your own. Nothing was deleted.`,
    );
  }
  for (const job of jobs) abortRunningJob(job.id);
  const candidates = [
    ...new Set(jobs.flatMap((j) => [...[...j.inputs, ...j.outputs].map((r) => r.imageId), ...(j.maskImageId ? [j.maskImageId] : [])])),
  ];
  const jobIds = jobs.map((j) => j.id);
  const orphans = await db().$transaction(async (tx) => {
    await tx.job.deleteMany({ where: { id: { in: jobIds } } });
    const stillUsed = new Set(
      [
        ...(await tx.jobInput.findMany({ where: { imageId: { in: candidates } }, select: { imageId: true } })),
        ...(await tx.jobOutput.findMany({ where: { imageId: { in: candidates } }, select: { imageId: true } })),
        ...(await tx.job.findMany({ where: { parentImageId: { in: candidates } }, select: { parentImageId: true } })).map((j) => ({
          imageId: j.parentImageId!,
        })),
        // A mask another job still paints with stays, or that job would edit the whole image.
        ...(await tx.job.findMany({ where: { maskImageId: { in: candidates } }, select: { maskImageId: true } })).map((j) => ({
          imageId: j.maskImageId!,
        })),
      ].map((r) => r.imageId),
    );
    const unused = candidates.filter((id) => !stillUsed.has(id));
    const images = await tx.image.findMany({ where: { id: { in: unused } }, select: { path: true, thumbPath: true } });
    await tx.image.deleteMany({ where: { id: { in: unused } } });
    return images;
  });
  // Files go after the rows: a crash in between leaves an unreferenced file, never a row without its file.
  for (const image of orphans) {
    await storage().delete(image.path);
    await storage().delete(image.thumbPath);
  }
  for (const jobId of jobIds) publishJob({ kind: "deleted", jobId });
  return { deleted: jobIds.length, imagesRemoved: orphans.length };
}

const LINEAGE_LIMIT = 400;

/**
 * The family tree an image belongs to: from its oldest ancestor (an upload or a
 * text-to-image result) down through every edit made of it and of its edits, and the job
 * that made the root (null for an upload, which has no recipe to ask for).
 */
export async function getLineage(imageId: string): Promise<Lineage> {
  if (!ID_PATTERN.test(imageId) || !(await db().image.findUnique({ where: { id: imageId }, select: { id: true } }))) {
    throw notFound("No such image.");
  }
  let rootId = imageId;
  const seen = new Set([rootId]);
  let rootJob: Lineage["rootJob"] = null;
  for (;;) {
    const made = await db().jobOutput.findFirst({
      where: { imageId: rootId },
      orderBy: { jobId: "asc" },
      select: { job: { select: { id: true, prompt: true, parentImageId: true } } },
    });
    rootJob = made ? { jobId: made.job.id, prompt: made.job.prompt } : null;
    const parent = made?.job.parentImageId;
    if (!parent || seen.has(parent)) break;
    seen.add(parent);
    rootId = parent;
  }
  let budget = LINEAGE_LIMIT;
  const visited = new Set<string>();
  const build = async (id: string): Promise<LineageNode> => {
    visited.add(id);
    const image = await db().image.findUniqueOrThrow({ where: { id }, select: { id: true, width: true, height: true, favorite: true } });
    const jobs = await db().job.findMany({
      where: { parentImageId: id },
      orderBy: { id: "asc" },
      take: Math.max(0, budget),
      select: { id: true, prompt: true, provider: true, model: true, status: true, outputs: { orderBy: { position: "asc" }, select: { imageId: true } } },
    });
    budget -= jobs.length;
    const children = [];
    for (const job of jobs) {
      const outputs = [];
      for (const output of job.outputs) if (!visited.has(output.imageId)) outputs.push(await build(output.imageId));
      children.push({ jobId: job.id, prompt: job.prompt, provider: job.provider, model: job.model, status: job.status, outputs });
    }
    return { imageId: image.id, thumbUrl: thumbUrl(image.id), width: image.width, height: image.height, favorite: image.favorite, children };
  };
  if (budget <= 0) throw new AppError("internal", "Lineage too large.");
  return { root: await build(rootId), focus: imageId, rootJob };
}

/**
 * A job whose result could not be saved (disk full, folder not writable) goes back to the
 * worker, which fetches the result again from the kept link or provider job id: nothing is
 * generated or billed a second time.
 */
export async function retrySaving(id: string): Promise<JobDto> {
  const job = ID_PATTERN.test(id) ? await db().job.findUnique({ where: { id } }) : null;
  if (!job) throw notFound(`Job ${id} does not exist.`);
  if (!canRetrySave(job)) {
    throw new AppError("not_recoverable", "Only a job whose result could not be saved, and whose provider link was kept, can retry saving.");
  }
  const { count } = await db().job.updateMany({
    where: { id, status: "failed", errorCode: "storage_failed" },
    data: { status: "queued", errorCode: null, errorMessage: null, errorDetail: null, finishedAt: null },
  });
  if (count === 1) {
    await jobQueue().enqueue([job]);
    publishJob({ kind: "changed", jobId: id });
  }
  kickWorker();
  return (await getJob(id))!;
}
