import type { z } from "zod";
import { firstIssue } from "./schemas";

/**
 * Every reason the domain refuses a request. The code is what callers branch on; how it is
 * answered (an HTTP status, an action result) is the edge's choice: see lib/server/http.ts.
 */
export type ErrorCode =
  | "invalid_request"
  /** The body is not JSON at all (as opposed to JSON that fails the schema). */
  | "unsupported_media_type"
  | "unsupported"
  | "invalid_image"
  | "too_many_pixels"
  | "too_large"
  /** A region edit's mask is not the size of its input image. */
  | "mask_mismatch"
  | "not_found"
  /** No live session or token (an API call needs one). */
  | "unauthorized"
  /** Signed in, but this is someone else's (or needs an admin). */
  | "forbidden"
  /** This submit would take the person past their monthly limit. */
  | "budget_exceeded"
  /** Already exists (an account with this email). */
  | "conflict"
  /** An invite link that was used, replaced or has expired. */
  | "invite_invalid"
  | "image_not_found"
  | "provider_not_configured"
  | "already_finished"
  | "not_recoverable"
  /** Image storage (the S3 bucket) cannot be reached or refuses us: try again later. */
  | "storage_unavailable"
  | "internal";

/** A refusal the user can act on; its message is safe to show. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The underlying failure, for logs and job details; never part of an answer. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

export const notFound = (message = "Not found") => new AppError("not_found", message);
export const forbidden = (message: string) => new AppError("forbidden", message);

export function invalid(error: z.ZodError): AppError {
  return new AppError("invalid_request", firstIssue(error));
}
