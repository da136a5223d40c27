import "server-only";
import { findModel, PROVIDER_IDS, type ProviderId, providerSpec } from "./catalog";
import { durationBetween, formatDuration, priceText } from "./client/format";
import { db } from "./db";
import { imageUrl, thumbUrl } from "./dto";
import { copyableRecipe } from "./export";
import { ID_PATTERN } from "./schemas";

export type CompareSide = {
  /** What the URL addressed (image id or `jobId.position`), so a swap keeps both sides' jobs. */
  ref: string;
  imageId: string;
  url: string;
  thumbUrl: string;
  width: number;
  height: number;
  /** The job that made the image and its prompt; null for an upload. */
  job: { id: string; prompt: string; provider: string; model: string; seed: number } | null;
};

/** `<jobId>.<position>`: one job's output (lib/client/urls outputRef). */
const OUTPUT_REF = /^([0-9A-HJKMNP-TV-Z]{26})\.(\d{1,2})$/;

const side = (ref: string, image: { id: string; width: number; height: number }, job: CompareSide["job"]): CompareSide => ({
  ref,
  imageId: image.id,
  url: imageUrl(image.id),
  thumbUrl: thumbUrl(image.id),
  width: image.width,
  height: image.height,
  job,
});

/** A job's output with that job's recipe: identical bytes from two jobs are still two sides. */
async function loadOutput(ref: string, jobId: string, position: number): Promise<CompareSide | null> {
  const output = await db().jobOutput.findUnique({
    where: { jobId_position: { jobId, position } },
    select: {
      seed: true,
      image: { select: { id: true, width: true, height: true } },
      job: { select: { id: true, prompt: true, provider: true, model: true, seed: true } },
    },
  });
  if (!output) return null;
  const { job } = output;
  return side(ref, output.image, { id: job.id, prompt: job.prompt, provider: job.provider, model: job.model, seed: output.seed ?? job.seed });
}

/**
 * One side to compare, with what made it; null when the ref is neither an image nor a
 * job output here. A bare image id names the first job that made it (or none, for an upload).
 */
export async function loadSide(ref: string | undefined): Promise<CompareSide | null> {
  if (!ref) return null;
  const output = OUTPUT_REF.exec(ref);
  if (output) return loadOutput(ref, output[1]!, Number(output[2]));
  if (!ID_PATTERN.test(ref)) return null;
  const image = await db().image.findUnique({ where: { id: ref }, select: { id: true, width: true, height: true } });
  if (!image) return null;
  const recipe = await copyableRecipe(ref).catch(() => null);
  return side(
    ref,
    image,
    recipe ? { id: recipe.jobId, prompt: recipe.prompt, provider: recipe.provider, model: recipe.model, seed: recipe.seed } : null,
  );
}

export type JobFacts = { provider: string; model: string; duration: string | null; cost: string };

const isProvider = (id: string): id is ProviderId => (PROVIDER_IDS as readonly string[]).includes(id);

/** What made a compared image, in words a designer compares providers by: who, which model, how long, how much. */
export async function jobFacts(jobId: string): Promise<JobFacts | null> {
  const job = await db().job.findUnique({
    where: { id: jobId },
    select: { provider: true, model: true, startedAt: true, finishedAt: true, costUsd: true },
  });
  if (!job) return null;
  const provider = isProvider(job.provider) ? providerSpec(job.provider) : undefined;
  const model = isProvider(job.provider) ? findModel(job.provider, job.model) : undefined;
  const ran = durationBetween(job.startedAt?.toISOString() ?? null, job.finishedAt?.toISOString() ?? null);
  return {
    provider: provider?.label ?? job.provider,
    model: model?.label ?? job.model,
    duration: ran === null ? null : formatDuration(ran),
    cost: priceText(job.costUsd),
  };
}
