import type { AspectRatioChoice, MATCH_INPUT as MatchInput, ProviderId } from "@/lib/catalog";
import type { JobStatus } from "@/lib/schemas";

/**
 * Values the browser needs from lib/catalog and lib/schemas, repeated here because those
 * modules build zod schemas at import time and zod would then ship in every page's first
 * load. The `satisfies` clauses tie each copy to the shared type, so a rename there fails
 * the typecheck here. The zod schemas themselves load on demand (see validate.ts).
 */
export const MATCH_INPUT = "match_input" satisfies typeof MatchInput;

export const JOB_STATUS_LIST = ["queued", "running", "succeeded", "failed", "canceled"] as const satisfies readonly JobStatus[];
export const ACTIVE_JOB_STATUSES = ["queued", "running"] as const satisfies readonly JobStatus[];

/** Every provider id (lib/catalog's PROVIDER_IDS), for checking a URL's filter. */
export const PROVIDER_ID_LIST = ["demo", "therouter", "dmxapi", "modelverse", "quickrouter"] as const satisfies readonly ProviderId[];

/** Same limits as lib/schemas (PROMPT_MAX_LENGTH, SEED_MAX). */
export const PROMPT_LIMIT = 4000;
export const SEED_LIMIT = 2_147_483_647;

export type { AspectRatioChoice };
