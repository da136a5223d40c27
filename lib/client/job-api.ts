import type { ApiErrorBody, JobDto, Lineage, Recipe } from "@/lib/dto";
import { ApiClientError } from "./api";

/**
 * Browser-side wrappers for the job page, the batch page and the compare page: favourite
 * and note, re-run, variations, batches, lineage and recipes. Errors carry the server's
 * plain-words message (ApiClientError), like lib/client/api.ts.
 */

export type { Lineage };
export type Batch = { batchId: string; jobs: JobDto[] };
export type ImageMeta = { id: string; favorite: boolean; note: string | null };

/** Same limits as lib/schemas (NOTE_MAX_LENGTH) and the batch schema. */
export const NOTE_LIMIT = 500;
export const VARIATIONS_MIN = 2;
export const VARIATIONS_MAX = 8;

export const jobQueryKeys = {
  lineage: (imageId: string) => ["lineage", imageId] as const,
  lineageAll: ["lineage"] as const,
  batch: (batchId: string) => ["batch", batchId] as const,
};

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && "message" in error;
}

async function request<T>(
  method: "GET" | "POST" | "PATCH",
  url: string,
  body?: unknown,
  signal?: AbortSignal,
  keepalive?: boolean,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      signal,
      keepalive,
      cache: "no-store",
      headers: { accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiClientError(0, "network", "Can't reach the server. Check your connection.");
  }
  if (!response.ok) {
    if (response.status === 401) {
      const next = window.location.pathname + window.location.search;
      window.location.assign(`/login?next=${encodeURIComponent(next)}`);
    }
    let data: unknown = null;
    try {
      data = await response.json();
    } catch {
      // Not JSON: fall back to the status below.
    }
    if (isErrorBody(data)) throw new ApiClientError(response.status, data.error.code, data.error.message);
    throw new ApiClientError(response.status, "http_error", `The server answered ${response.status}. Try again.`);
  }
  return (await response.json()) as T;
}

const enc = encodeURIComponent;

/** `keepalive` lets the request outlive the page (a note flushed as the tab closes). */
export function updateImageMeta(
  imageId: string,
  patch: { favorite?: boolean; note?: string | null },
  options: { keepalive?: boolean } = {},
): Promise<ImageMeta> {
  return request<ImageMeta>("PATCH", `/api/images/${enc(imageId)}`, patch, undefined, options.keepalive);
}

/** The same recipe and seed again, as a new job. */
export function rerunJob(jobId: string): Promise<JobDto> {
  return request<JobDto>("POST", `/api/jobs/${enc(jobId)}/rerun`);
}

/** `count` jobs with the job's recipe and new seeds, as one batch. */
export function createVariations(job: JobDto, count: number): Promise<Batch> {
  return request<Batch>("POST", "/api/jobs/batch", {
    recipe: {
      provider: job.provider,
      model: job.model,
      prompt: job.prompt,
      aspectRatio: job.aspectRatio,
      n: job.n,
      ...(job.inputs.length > 0 && { inputImageIds: job.inputs.map((input) => input.imageId) }),
    },
    variations: count,
  });
}

export function fetchBatch(batchId: string, signal?: AbortSignal): Promise<Batch> {
  return request<Batch>("GET", `/api/batches/${enc(batchId)}`, undefined, signal);
}

export function fetchLineage(imageId: string, signal?: AbortSignal): Promise<Lineage> {
  return request<Lineage>("GET", `/api/images/${enc(imageId)}/lineage`, undefined, signal);
}

export function fetchRecipe(imageId: string, signal?: AbortSignal): Promise<Recipe> {
  return request<Recipe>("GET", `/api/images/${enc(imageId)}/recipe`, undefined, signal);
}

export const downloadUrl = (imageId: string) => `/api/images/${enc(imageId)}/download`;
/**
 * One job's output, as /compare addresses it. Outputs are deduplicated by content, so two
 * jobs (a re-run, a fan-out) can share one image id; the output ref tells them apart.
 */
export const outputRef = (jobId: string, position = 0) => `${jobId}.${position}`;
/** Either side is an image id (an upload, a lineage node) or an outputRef. */
export const compareUrl = (a: string, b: string) => `/compare?a=${enc(a)}&b=${enc(b)}`;
export const continueUrl = (imageId: string) => `/?input=${enc(imageId)}`;
export const remixUrl = (jobId: string) => `/?remix=${enc(jobId)}`;
