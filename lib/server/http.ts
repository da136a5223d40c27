import "server-only";
import { NextResponse } from "next/server";
import { AppError, type ErrorCode } from "../errors";

/**
 * The edge: how a domain error is answered. Route handlers (route() below) and the server
 * actions (./actions.ts) both answer from this one table.
 */
const ANSWERS: Record<ErrorCode, { status: number; code?: string }> = {
  invalid_request: { status: 400 },
  // Clients have always seen a non-JSON body as invalid_request; only the status tells it apart.
  unsupported_media_type: { status: 415, code: "invalid_request" },
  unsupported: { status: 400 },
  invalid_image: { status: 400 },
  too_many_pixels: { status: 400 },
  too_large: { status: 413 },
  mask_mismatch: { status: 400 },
  not_found: { status: 404 },
  unauthorized: { status: 401 },
  forbidden: { status: 403 },
  budget_exceeded: { status: 403 },
  conflict: { status: 409 },
  invite_invalid: { status: 410 },
  image_not_found: { status: 404 },
  provider_not_configured: { status: 409 },
  already_finished: { status: 409 },
  not_recoverable: { status: 409 },
  storage_unavailable: { status: 503 },
  internal: { status: 500 },
};

export type ErrorAnswer = { status: number; error: { code: string; message: string } };

/** The status and `{code, message}` for any thrown value; anything unexpected is logged and hidden. */
export function errorAnswer(error: unknown, where: string): ErrorAnswer {
  if (error instanceof AppError) {
    const { status, code = error.code } = ANSWERS[error.code];
    return { status, error: { code, message: error.message } };
  }
  console.error(`[${where}] unexpected error`, error);
  return { status: 500, error: { code: "internal", message: "Something went wrong on the server. Try again." } };
}

export function errorResponse(error: unknown): Response {
  const { status, error: body } = errorAnswer(error, "api");
  return Response.json({ error: body }, { status });
}

/**
 * Wraps a route handler so every thrown error becomes the documented JSON error, and every
 * answer says how long the server spent on it (Server-Timing, read by the benchmarks).
 */
export function route<A extends unknown[]>(handler: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    const started = performance.now();
    let response: Response;
    try {
      response = await handler(...args);
    } catch (error) {
      response = errorResponse(error);
    }
    response.headers.set("Server-Timing", `app;dur=${(performance.now() - started).toFixed(1)}`);
    return response;
  };
}

/** Parses a JSON body; a malformed or non-JSON body is a 4xx, not a crash. */
export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
    throw new AppError("unsupported_media_type", "Send the body as application/json");
  }
  try {
    return await request.json();
  } catch {
    throw new AppError("invalid_request", "The body is not valid JSON");
  }
}

/**
 * A form post's answer: on to `location`. Relative, so the browser stays on the host it used
 * (the server only knows its own name for itself, e.g. localhost, and cookies belong to the
 * browser's host).
 */
export function seeOther(location: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: location } });
}
