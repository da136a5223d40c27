import { PROVIDER_IDS, type AspectRatioChoice } from "@/lib/catalog";
import type { JobStatus } from "@/lib/schemas";

/**
 * Values the browser needs from lib/schemas, repeated here because that module builds zod
 * schemas at import time and zod would then ship in every page's first load. The `satisfies`
 * clauses tie each copy to the shared type, so a rename there fails the typecheck here. The
 * zod schemas themselves load on demand (see validate.ts). lib/catalog holds no zod, so its
 * values are imported, not copied.
 */
export { MATCH_INPUT } from "@/lib/catalog";

export const JOB_STATUS_LIST = ["queued", "running", "succeeded", "failed", "canceled"] as const satisfies readonly JobStatus[];
export const ACTIVE_JOB_STATUSES = ["queued", "running"] as const satisfies readonly JobStatus[];

/** Every provider id, for checking a URL's filter. */
export const PROVIDER_ID_LIST = PROVIDER_IDS;

/** Same limits as lib/schemas (PROMPT_MAX_LENGTH, SEED_MAX). */
export const PROMPT_LIMIT = 4000;
export const SEED_LIMIT = 2_147_483_647;

export type { AspectRatioChoice };

/** Same limits as lib/schemas (NOTE_MAX_LENGTH) and the batch schema. */
export const NOTE_LIMIT = 500;
export const VARIATIONS_MIN = 2;
export const VARIATIONS_MAX = 8;
/** Same as BATCH_IMAGES_MAX: images one "Apply an edit" batch takes. */
export const BATCH_IMAGES_LIMIT = 50;

/** Jobs per gallery page (the server renders the first one). */
export const GALLERY_PAGE_SIZE = 48;
