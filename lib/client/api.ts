import type { ProviderId } from "@/lib/catalog";
import type { ApiErrorBody, Budget, JobDto, JobPage, LedgerDto, Lineage, Recipe, UploadDto } from "@/lib/dto";
import type { CreateJobInput } from "@/lib/schemas";
import { GALLERY_PAGE_SIZE } from "./constants";
import { filterToApiParams, type GalleryFilter } from "./gallery-filter";

/**
 * The browser's one client for the JSON API: one request helper (the error shape, 401 → sign
 * in) and one function per resource. Errors carry the server's plain-words message.
 */

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiClientError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiClientError) return error.message;
  return "Something went wrong. Try again.";
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && "message" in error;
}

/** The session ended (ATELIER_PASSWORD is set): go sign in, then come back here. */
function toLogin(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/** A failed answer as a client error; null when the body isn't the API's error shape. */
function failure(status: number, body: unknown): ApiClientError | null {
  if (status === 401) toLogin();
  return isErrorBody(body) ? new ApiClientError(status, body.error.code, body.error.message) : null;
}

type Options = { method?: "GET" | "POST" | "PATCH" | "DELETE"; body?: unknown; signal?: AbortSignal; keepalive?: boolean };

/** One JSON call. `keepalive` lets the request outlive the page (a note flushed as the tab closes). */
export async function request<T>(path: string, { method = "GET", body, signal, keepalive }: Options = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
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
  if (response.status === 204) return undefined as T;
  if (response.ok) return (await response.json()) as T;
  // Not JSON (a proxy page, an empty body): fall back to the status.
  const data: unknown = await response.json().catch(() => null);
  throw failure(response.status, data) ?? new ApiClientError(response.status, "http_error", `The server answered ${response.status}. Try again.`);
}

const enc = encodeURIComponent;

// Jobs

export function fetchJobs(params: GalleryFilter & { cursor?: string | null; limit?: number }, signal?: AbortSignal): Promise<JobPage> {
  const { cursor, limit, ...filter } = params;
  const search = filterToApiParams(filter);
  search.set("limit", String(limit ?? GALLERY_PAGE_SIZE));
  if (cursor) search.set("cursor", cursor);
  return request(`/api/jobs?${search}`, { signal });
}

export function fetchJob(id: string, signal?: AbortSignal): Promise<JobDto> {
  return request(`/api/jobs/${enc(id)}`, { signal });
}

/** The same recipe and seed again, as a new job. */
export function rerunJob(jobId: string): Promise<JobDto> {
  return request(`/api/jobs/${enc(jobId)}/rerun`, { method: "POST" });
}

/** Fetches a result that could not be stored again from the provider: the job is queued once more. */
export function retrySaving(jobId: string): Promise<JobDto> {
  return request(`/api/jobs/${enc(jobId)}/retry-save`, { method: "POST" });
}

/** The server takes at most 500 ids per call. */
const DELETE_CHUNK = 500;

export async function deleteJobs(ids: string[]): Promise<{ deleted: number; imagesRemoved: number }> {
  let deleted = 0;
  let imagesRemoved = 0;
  for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
    const result = await request<{ deleted: number; imagesRemoved: number }>("/api/jobs/delete", {
      method: "POST",
      body: { ids: ids.slice(i, i + DELETE_CHUNK) },
    });
    deleted += result.deleted;
    imagesRemoved += result.imagesRemoved;
  }
  return { deleted, imagesRemoved };
}

// Batches (variations of one job, one recipe fanned out to several models, or applied to several images)

export type Batch = { batchId: string; jobs: JobDto[] };

/** `count` jobs with the job's recipe and new seeds, as one batch. */
export function createVariations(job: JobDto, count: number): Promise<Batch> {
  const recipe: CreateJobInput = {
    provider: job.provider,
    model: job.model,
    prompt: job.prompt,
    aspectRatio: job.aspectRatio,
    n: job.n,
    ...(job.inputs.length > 0 && { inputImageIds: job.inputs.map((input) => input.imageId) }),
    ...(job.mask && { maskImageId: job.mask.imageId }),
  };
  return request("/api/jobs/batch", { method: "POST", body: { recipe, variations: count } });
}

export function createFanOut(recipe: CreateJobInput, targets: { provider: ProviderId; model: string }[]): Promise<Batch> {
  return request("/api/jobs/batch", { method: "POST", body: { recipe, targets } });
}

/** One job per image, all with the recipe's seed (or one random seed the server picks for all). */
export function createImageBatch(recipe: CreateJobInput, inputImageIds: string[]): Promise<Batch> {
  return request("/api/jobs/batch", { method: "POST", body: { recipe, inputImageIds } });
}

export function fetchBatch(batchId: string, signal?: AbortSignal): Promise<Batch> {
  return request(`/api/batches/${enc(batchId)}`, { signal });
}

// Images

export type ImageMeta = { id: string; favorite: boolean; note: string | null };

export function updateImageMeta(
  imageId: string,
  patch: { favorite?: boolean; note?: string | null },
  options: { keepalive?: boolean } = {},
): Promise<ImageMeta> {
  return request(`/api/images/${enc(imageId)}`, { method: "PATCH", body: patch, keepalive: options.keepalive });
}

export function fetchLineage(imageId: string, signal?: AbortSignal): Promise<Lineage> {
  return request(`/api/images/${enc(imageId)}/lineage`, { signal });
}

export function fetchRecipe(imageId: string, signal?: AbortSignal): Promise<Recipe> {
  return request(`/api/images/${enc(imageId)}/recipe`, { signal });
}

// Ledger

/** This month's spend against the budget (ATELIER_BUDGET_USD); a one-day ledger keeps it cheap. */
export async function fetchBudget(signal?: AbortSignal): Promise<Budget> {
  const today = new Date().toISOString().slice(0, 10);
  const ledger = await request<LedgerDto>(`/api/ledger?from=${today}&to=${today}`, { signal });
  return ledger.budget;
}

// Uploads

/** Uploads with XMLHttpRequest, because fetch cannot report upload progress. */
export function uploadImage(
  file: Blob,
  options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<UploadDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.responseType = "json";
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body: unknown = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === "object") return resolve(body as UploadDto);
      const error = failure(xhr.status, body);
      if (error) reject(error);
      else if (xhr.status === 413) reject(new ApiClientError(413, "too_large", "That file is larger than 20 MB."));
      else reject(new ApiClientError(xhr.status, "http_error", `The upload failed (${xhr.status}). Try again.`));
    };
    xhr.onerror = () => reject(new ApiClientError(0, "network", "The upload didn't reach the server. Try again."));
    xhr.onabort = () => reject(new DOMException("Upload canceled", "AbortError"));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, file instanceof File ? file.name : "pasted-image.png");
    xhr.send(form);
  });
}
