import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { firstIssue } from "./schemas";

/** A failure the API answers with `{error:{code,message}}` and a status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (message = "Not found") => new ApiError(404, "not_found", message);

export function invalid(error: z.ZodError): ApiError {
  return new ApiError(400, "invalid_request", firstIssue(error));
}

export function errorResponse(error: unknown): NextResponse {
  if (error instanceof ApiError) {
    return NextResponse.json({ error: { code: error.code, message: error.message } }, { status: error.status });
  }
  console.error("[api] unexpected error", error);
  return NextResponse.json(
    { error: { code: "internal", message: "Something went wrong on the server. Try again." } },
    { status: 500 },
  );
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

/** Parses a JSON body; a malformed or non-JSON body is a 400, not a crash. */
export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
    throw new ApiError(415, "invalid_request", "Send the body as application/json");
  }
  try {
    return await request.json();
  } catch {
    throw new ApiError(400, "invalid_request", "The body is not valid JSON");
  }
}
