import { z } from "zod";
import { ASPECT_RATIOS, MATCH_INPUT, MODES, PROVIDER_IDS } from "./catalog";

/**
 * Request schemas shared by the studio form, the server actions and the JSON API,
 * so the browser and the server reject the same things with the same words.
 */

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const idSchema = z.string().regex(ID_PATTERN, "Not a valid id");
export const providerIdSchema = z.enum(PROVIDER_IDS);

export const PROMPT_MAX_LENGTH = 4000;
export const SEED_MAX = 2_147_483_647;

/** The seed of image i of a job: seed + i, wrapped to stay in 0..SEED_MAX (what providers accept). */
export function nthSeed(seed: number, i: number): number {
  const m = SEED_MAX + 1;
  return ((Math.trunc(seed + i) % m) + m) % m;
}
// Control characters other than tab and newline break providers' JSON and logs.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Any control character, tabs and newlines included: none belongs in a one-line field (a name, an email, a password). */
export const ANY_CONTROL_CHAR = /[\u0000-\u001F\u007F]/;

export const promptSchema = z
  .string({ error: "Write an instruction" })
  .trim()
  .min(1, "Write an instruction")
  .max(PROMPT_MAX_LENGTH, `Keep the instruction under ${PROMPT_MAX_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), "The instruction contains control characters");

export const aspectRatioSchema = z.enum([MATCH_INPUT, ...ASPECT_RATIOS], {
  error: "Unknown aspect ratio",
});

export const seedSchema = z
  .number({ error: "The seed must be a whole number" })
  .int("The seed must be a whole number")
  .min(0, "The seed must be 0 or more")
  .max(SEED_MAX, `The seed must be at most ${SEED_MAX}`);

export const createJobSchema = z.strictObject({
  provider: providerIdSchema,
  model: z.string().min(1).max(200).optional(),
  prompt: promptSchema,
  aspectRatio: aspectRatioSchema.optional(),
  seed: seedSchema.optional(),
  n: z.number().int("n must be a whole number").min(1).max(8).optional(),
  inputImageIds: z.array(idSchema).max(8, "Too many input images").optional(),
  /** A region edit: an uploaded mask the input's size; only where it is painted may the image change. */
  maskImageId: idSchema.optional(),
});
export type CreateJobInput = z.infer<typeof createJobSchema>;

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_STATUSES: readonly JobStatus[] = ["queued", "running"];

const isoDate = z.iso.date({ error: "Dates are written YYYY-MM-DD" });

export const listJobsSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: idSchema.optional(),
  status: z.enum(JOB_STATUSES).optional(),
  provider: providerIdSchema.optional(),
  model: z.string().min(1).max(200).optional(),
  mode: z.enum(MODES).optional(),
  /** Inclusive UTC days. */
  from: isoDate.optional(),
  to: isoDate.optional(),
  favorite: z.enum(["1", "true"]).optional(),
  sort: z.enum(["newest", "oldest"]).default("newest"),
  q: z.string().trim().max(200).optional().transform((q) => q || undefined),
  /** Whose jobs: `me` (the caller's) or an account id. */
  by: z
    .string()
    .refine((by) => by === "me" || ID_PATTERN.test(by), "by is `me` or an account id")
    .optional(),
});

export const BATCH_IMAGES_MAX = 50;

/** Several jobs from one recipe: n variations with new seeds, one per provider/model, or one per input image. */
export const createBatchSchema = z
  .strictObject({
    recipe: createJobSchema,
    variations: z.number().int().min(2, "At least 2 variations").max(8, "At most 8 variations").optional(),
    targets: z
      .array(z.strictObject({ provider: providerIdSchema, model: z.string().min(1).max(200).optional() }))
      .min(1)
      .max(8, "At most 8 providers at once")
      .optional(),
    /** The same recipe and seed applied to each of these images. */
    inputImageIds: z.array(idSchema).min(1).max(BATCH_IMAGES_MAX, `At most ${BATCH_IMAGES_MAX} images at once`).optional(),
  })
  .refine(
    (b) => [b.variations, b.targets, b.inputImageIds].filter((x) => x !== undefined).length === 1,
    "Give either variations, targets or inputImageIds",
  )
  // A mask fits one image's size; applying it to others would paint somewhere else.
  .refine((b) => b.inputImageIds === undefined || b.recipe.maskImageId === undefined, "A mask cannot be applied to several images");
export type CreateBatchInput = z.infer<typeof createBatchSchema>;

export const NOTE_MAX_LENGTH = 500;
export const imageMetaSchema = z.strictObject({
  favorite: z.boolean().optional(),
  note: z.string().trim().max(NOTE_MAX_LENGTH, `Keep the note under ${NOTE_MAX_LENGTH} characters`).nullable().optional(),
});

export const jobIdsSchema = z.strictObject({ ids: z.array(idSchema).min(1).max(500) });
export type ListJobsQuery = z.infer<typeof listJobsSchema>;

/** The first issue's message, for a 400 answer or a form field. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}
