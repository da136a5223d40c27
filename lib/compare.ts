import "server-only";
import { db } from "./db";
import { imageUrl, thumbUrl } from "./dto";
import { copyableRecipe } from "./export";
import { ID_PATTERN } from "./schemas";

export type CompareSide = {
  imageId: string;
  url: string;
  thumbUrl: string;
  width: number;
  height: number;
  /** The job that made the image and its prompt; null for an upload. */
  job: { id: string; prompt: string; provider: string; model: string; seed: number } | null;
};

/** One image to compare, with what made it; null when the id is not an image here. */
export async function loadSide(id: string | undefined): Promise<CompareSide | null> {
  if (!id || !ID_PATTERN.test(id)) return null;
  const image = await db().image.findUnique({ where: { id }, select: { id: true, width: true, height: true } });
  if (!image) return null;
  const recipe = await copyableRecipe(id).catch(() => null);
  return {
    imageId: image.id,
    url: imageUrl(image.id),
    thumbUrl: thumbUrl(image.id),
    width: image.width,
    height: image.height,
    job: recipe ? { id: recipe.jobId, prompt: recipe.prompt, provider: recipe.provider, model: recipe.model, seed: recipe.seed } : null,
  };
}
