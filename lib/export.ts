import "server-only";
import sharp from "sharp";
import { Zip, ZipPassThrough, zipSync } from "fflate";
import { db } from "./db";
import type { Recipe } from "./dto";
import { invalid, notFound } from "./errors";
import { peopleById } from "./people";
import { ID_PATTERN, jobIdsSchema } from "./schemas";
import { storage } from "./storage";

const EXT: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

async function recipeFor(imageId: string): Promise<Recipe | null> {
  const output = await db().jobOutput.findFirst({
    where: { imageId },
    orderBy: { jobId: "asc" },
    include: { image: true, job: { include: { inputs: { orderBy: { position: "asc" } } } } },
  });
  if (!output) return null;
  const { job, image } = output;
  return {
    app: "Atelier",
    jobId: job.id,
    provider: job.provider,
    model: job.model,
    mode: job.mode,
    prompt: job.prompt,
    aspectRatio: job.aspectRatio,
    seed: output.seed ?? job.seed,
    inputImageIds: job.inputs.map((input) => input.imageId),
    maskImageId: job.maskImageId,
    createdAt: job.createdAt.toISOString(),
    imageId: image.id,
    width: image.width,
    height: image.height,
  };
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** XMP with the prompt as dc:description (what most tools show) and the whole recipe as JSON. */
function recipeXmp(recipe: Recipe): string {
  return (
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:atelier="https://atelier.studio/ns/1.0/">` +
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xml(recipe.prompt)}</rdf:li></rdf:Alt></dc:description>` +
    `<xmp:CreatorTool>Atelier (${xml(recipe.provider)} ${xml(recipe.model)})</xmp:CreatorTool>` +
    `<atelier:Seed>${recipe.seed}</atelier:Seed>` +
    `<atelier:Recipe>${xml(JSON.stringify(recipe))}</atelier:Recipe>` +
    `</rdf:Description></rdf:RDF></x:xmpmeta>`
  );
}

/**
 * The image with its recipe embedded as XMP (sharp writes it as an iTXt chunk in PNG and
 * an APP1 segment in JPEG, a chunk in WebP; exiftool reads all three). Re-encoding is
 * lossless for PNG and at quality 95 for JPEG/WebP. Uploads carry no recipe and go as they are.
 */
export async function downloadWithRecipe(imageId: string): Promise<{ bytes: Buffer; mime: string; filename: string }> {
  const image = ID_PATTERN.test(imageId) ? await db().image.findUnique({ where: { id: imageId } }) : null;
  if (!image) throw notFound("No such image.");
  const original = await storage().get(image.path);
  const ext = EXT[image.mime] ?? "bin";
  const recipe = await recipeFor(imageId);
  if (!recipe) return { bytes: original, mime: image.mime, filename: `atelier-${image.id}.${ext}` };
  const withXmp = sharp(original).withXmp(recipeXmp(recipe));
  const bytes =
    image.mime === "image/png"
      ? await withXmp.png({ compressionLevel: 9 }).toBuffer()
      : image.mime === "image/webp"
        ? await withXmp.webp({ quality: 95 }).toBuffer()
        : await withXmp.jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toBuffer();
  return { bytes, mime: image.mime, filename: `atelier-${recipe.jobId}-${image.id}.${ext}` };
}

export async function copyableRecipe(imageId: string): Promise<Recipe> {
  const recipe = ID_PATTERN.test(imageId) ? await recipeFor(imageId) : null;
  if (!recipe) throw notFound("This image has no recipe (it is an upload).");
  return recipe;
}

/** A zip of the jobs' outputs, each with its recipe embedded, plus recipes.json. */
export async function exportZip(raw: unknown): Promise<Buffer> {
  const parsed = jobIdsSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const outputs = await db().jobOutput.findMany({
    where: { jobId: { in: parsed.data.ids } },
    orderBy: [{ jobId: "asc" }, { position: "asc" }],
    select: { imageId: true },
  });
  if (outputs.length === 0) throw notFound("None of these jobs has an image to download.");
  const makers = await jobMakers(parsed.data.ids);
  const files: Record<string, Uint8Array> = {};
  const recipes: (Recipe & { createdBy?: string })[] = [];
  for (const { imageId } of outputs) {
    const { bytes, filename } = await downloadWithRecipe(imageId);
    // Already-compressed images gain nothing from deflate; store them.
    files[filename] = new Uint8Array(bytes);
    const recipe = await recipeFor(imageId);
    const maker = recipe && makers.get(recipe.jobId);
    if (recipe) recipes.push(maker ? { ...recipe, createdBy: maker } : recipe);
  }
  files["recipes.json"] = new TextEncoder().encode(JSON.stringify(recipes, null, 2));
  return Buffer.from(zipSync(files, { level: 0 }));
}

/**
 * Who made each job (team mode), by email, for recipes.json: the team's own record. The
 * images' embedded XMP leaves it out, since an image file travels beyond the team.
 */
async function jobMakers(ids: string[]): Promise<Map<string, string>> {
  const jobs = await db().job.findMany({ where: { id: { in: ids }, accountId: { not: null } }, select: { id: true, accountId: true } });
  const people = await peopleById(jobs.map((job) => job.accountId));
  return new Map(jobs.flatMap((job) => (people.has(job.accountId!) ? [[job.id, people.get(job.accountId!)!.email] as const] : [])));
}

type BatchEntry = { name: string; path: string; createdAt: Date };

/**
 * A batch's succeeded outputs as they are stored (full resolution, byte for byte what
 * /api/images/<id> serves), named `<position in the batch>-<jobId>[-<output>].<ext>` so they
 * sort as the batch page shows them. Throws before streaming when there is nothing to send.
 */
export async function batchZip(batchId: string): Promise<ReadableStream<Uint8Array>> {
  const jobs = ID_PATTERN.test(batchId)
    ? await db().job.findMany({
        where: { batchId },
        orderBy: { id: "asc" },
        select: { id: true, status: true, outputs: { orderBy: { position: "asc" }, select: { position: true, image: true } } },
      })
    : [];
  if (jobs.length === 0) throw notFound(`Batch ${batchId} does not exist.`);
  const width = String(jobs.length).length;
  const entries: BatchEntry[] = jobs.flatMap((job, i) =>
    job.status !== "succeeded"
      ? []
      : job.outputs.map(({ position, image }) => ({
          name: `${String(i + 1).padStart(Math.max(2, width), "0")}-${job.id}${job.outputs.length > 1 ? `-${position + 1}` : ""}.${EXT[image.mime] ?? "bin"}`,
          path: image.path,
          createdAt: image.createdAt,
        })),
  );
  if (entries.length === 0) throw notFound("No job in this batch has finished an image yet.");
  return zipStream(entries);
}

/**
 * Streams a stored (not deflated: images are compressed already) zip, one file read per
 * pull, so a batch of 50 large images never sits in memory at once.
 */
function zipStream(entries: BatchEntry[]): ReadableStream<Uint8Array> {
  const queue = [...entries];
  let zip: Zip;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
    },
    async pull() {
      const next = queue.shift();
      if (!next) return zip.end();
      const bytes = await storage().get(next.path);
      const file = new ZipPassThrough(next.name);
      file.mtime = next.createdAt;
      zip.add(file);
      file.push(new Uint8Array(bytes), true);
    },
    cancel() {
      zip.terminate();
    },
  });
}
