import type { ApiErrorBody, JobDto, JobPage, UploadDto } from "@/lib/dto";
import { filterToApiParams, type GalleryFilter } from "./gallery-filter";

/** Browser-side wrappers around the JSON API. Errors carry the server's plain-words message. */

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

export async function readError(response: Response): Promise<ApiClientError> {
  if (response.status === 401) toLogin();
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy page, an empty body): fall back to the status.
  }
  if (isErrorBody(body)) return new ApiClientError(response.status, body.error.code, body.error.message);
  return new ApiClientError(response.status, "http_error", `The server answered ${response.status}. Try again.`);
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: "application/json" }, cache: "no-store" });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiClientError(0, "network", "Can't reach the server. Check your connection.");
  }
  if (!response.ok) throw await readError(response);
  return (await response.json()) as T;
}

export type { GalleryFilter };

/** Jobs per gallery page (the server renders the first one). */
export const GALLERY_PAGE_SIZE = 48;

export function fetchJobs(
  params: GalleryFilter & { cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<JobPage> {
  const { cursor, limit, ...filter } = params;
  const search = filterToApiParams(filter);
  search.set("limit", String(limit ?? GALLERY_PAGE_SIZE));
  if (cursor) search.set("cursor", cursor);
  return getJson<JobPage>(`/api/jobs?${search}`, signal);
}

/** A JSON write (POST/PATCH); errors carry the server's message. */
export async function sendJson<T>(method: "POST" | "PATCH", url: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiClientError(0, "network", "Can't reach the server. Check your connection.");
  }
  if (!response.ok) throw await readError(response);
  return (await response.json()) as T;
}

export function fetchJob(id: string, signal?: AbortSignal): Promise<JobDto> {
  return getJson<JobDto>(`/api/jobs/${encodeURIComponent(id)}`, signal);
}

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
      if (xhr.status === 401) toLogin();
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === "object") {
        resolve(body as UploadDto);
      } else if (isErrorBody(body)) {
        reject(new ApiClientError(xhr.status, body.error.code, body.error.message));
      } else if (xhr.status === 413) {
        reject(new ApiClientError(413, "too_large", "That file is larger than 20 MB."));
      } else {
        reject(new ApiClientError(xhr.status, "http_error", `The upload failed (${xhr.status}). Try again.`));
      }
    };
    xhr.onerror = () => reject(new ApiClientError(0, "network", "The upload didn't reach the server. Try again."));
    xhr.onabort = () => reject(new DOMException("Upload canceled", "AbortError"));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, file instanceof File ? file.name : "pasted-image.png");
    xhr.send(form);
  });
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiClientError) return error.message;
  return "Something went wrong. Try again.";
}
