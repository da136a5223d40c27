import type { AspectRatioChoice, Mode, ModelSpec, ProviderId } from "./catalog";
import type { JobStatus } from "./schemas";

/** The JSON shapes of the public API; the UI reads exactly these. */

export type ImageRef = { imageId: string; url: string; width: number; height: number };
/** `seed` is the seed this image was made with (n > 1 jobs use one per image); null if unknown. */
/**
 * `change`: for edits, the share of pixels that visibly changed against the input, and of those
 * outside the mask (null without a mask); null for generated images.
 */
export type OutputRef = ImageRef & {
  thumbUrl: string;
  seed: number | null;
  favorite: boolean;
  note: string | null;
  change: { fraction: number; outsideMask: number | null } | null;
};

/** An image in a lineage tree, with the jobs that edited it and what they made. */
export type LineageNode = {
  imageId: string;
  thumbUrl: string;
  width: number;
  height: number;
  favorite: boolean;
  children: { jobId: string; prompt: string; provider: string; model: string; status: string; outputs: LineageNode[] }[];
};

/** GET /api/images/:id/lineage: the tree, the asked-for image, and the job that made the root (null: an upload). */
export type Lineage = { root: LineageNode; focus: string; rootJob: { jobId: string; prompt: string } | null };

/** What made an image, as a designer would want it copied or embedded (lib/export.ts). */
export type Recipe = {
  app: "Atelier";
  jobId: string;
  provider: string;
  model: string;
  mode: string;
  prompt: string;
  aspectRatio: string;
  seed: number;
  inputImageIds: string[];
  /** A region edit's mask: a re-run with it changes the same region. */
  maskImageId: string | null;
  createdAt: string;
  imageId: string;
  width: number;
  height: number;
};

/** The account that made a job; `removed`: no longer on the team (the history still names them). */
export type Creator = { id: string; email: string; removed: boolean };

export type JobDto = {
  id: string;
  provider: ProviderId;
  model: string;
  mode: Mode;
  prompt: string;
  aspectRatio: AspectRatioChoice;
  seed: number;
  n: number;
  status: JobStatus;
  /** `message` is for the designer; `detail` is the provider's own words (cut short), shown on demand. */
  error: { code: string; message: string; detail: string | null } | null;
  /** Failed `storage_failed` with the provider's result still fetchable: POST /api/jobs/:id/retry-save saves it. */
  canRetrySave: boolean;
  inputs: (ImageRef & { thumbUrl: string })[];
  /** A region edit's mask (the input's size), or null. */
  mask: (ImageRef & { thumbUrl: string }) | null;
  /** The part of the input sent to the provider, once planned, in input pixels. */
  region: { x: number; y: number; width: number; height: number } | null;
  outputs: OutputRef[];
  costUsd: number | null;
  /** Jobs sent together (variations, fan-out) share it. */
  batchId: string | null;
  /** Who submitted it (team mode); null without accounts, or for jobs made before them. */
  createdBy: Creator | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type JobPage = { items: JobDto[]; nextCursor: string | null };

export type UploadDto = { id: string; width: number; height: number; mime: string; bytes: number; url: string };

export type ProviderDto = {
  id: ProviderId;
  label: string;
  description: string;
  configured: boolean;
  /** The env var to set when not configured; null for the demo engine. */
  envKey: string | null;
  models: (Omit<ModelSpec, "unverified"> & {
    unverified: boolean;
    /**
     * How long a job on this model usually runs: the 90th percentile of recent successes
     * ("history"), or a typical time while there are too few ("catalog"). Only where a page
     * or /api/providers asked for it.
     */
    usual?: { ms: number; from: "history" | "catalog" };
  })[];
};

/** GET /api/ledger: spend per UTC day, provider and model, and this month's budget. */
export type LedgerRow = { day: string; provider: string; model: string; jobs: number; images: number; costUsd: number };
export type Budget = {
  monthlyUsd: number | null;
  spentThisMonthUsd: number;
  /**
   * studio: the whole studio against ATELIER_BUDGET_USD (a warning). person (team mode): the
   * signed-in person's own limit and spend, which the server enforces, counting pendingUsd too.
   */
  scope: "studio" | "person";
  /** The estimated cost of this month's unfinished jobs (person scope; 0 for the studio). */
  pendingUsd: number;
};
/** One person's share of a ledger range; accountId null: jobs made before accounts existed. */
export type LedgerPerson = { accountId: string | null; email: string | null; jobs: number; images: number; costUsd: number };
export type LedgerDto = {
  from: string;
  to: string;
  rows: LedgerRow[];
  /** The same range split by who made the jobs, most spent first. */
  people: LedgerPerson[];
  totalUsd: number;
  /** Jobs whose provider publishes no price: counted, but their cost is unknown. */
  unpricedJobs: number;
  budget: Budget;
};

export type ApiErrorBody = { error: { code: string; message: string } };

export const imageUrl = (id: string) => `/api/images/${id}`;
export const thumbUrl = (id: string) => `/api/images/${id}?variant=thumb`;
