import "server-only";
import type { z } from "zod";
import { ProviderError, type ProviderContext } from "./types";

/**
 * The one place provider HTTP answers become data or typed errors, so every adapter
 * maps faults the same way: auth → auth_failed, 429 → rate_limited (+ Retry-After),
 * 400/422 → invalid_request or moderated, 5xx → provider_error, bad JSON → invalid_response.
 */

export type ProviderCall<T> = {
  /** Shown in messages ("TheRouter rejected …"). */
  provider: string;
  url: string;
  method?: "GET" | "POST";
  apiKey: string;
  json?: unknown;
  form?: FormData;
  timeoutMs: number;
  schema: z.ZodType<T>;
  /** Pulls the provider's own words (and request id) out of an error body. */
  readError?: (body: unknown) => string | undefined;
};

const MODERATION = /moderat|nsfw|safety|content[ _-]?(policy|filter)|flagged|sensitive|inappropriate|prohibited/i;
const SNIPPET = 300;

export async function callProvider<T>(ctx: ProviderContext, call: ProviderCall<T>): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${call.apiKey}`, Accept: "application/json" };
  let body: BodyInit | undefined;
  if (call.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(call.json);
  } else if (call.form) {
    body = call.form;
  }
  const timeout = AbortSignal.timeout(call.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await ctx.fetch(call.url, {
      method: call.method ?? (body ? "POST" : "GET"),
      headers,
      body,
      signal: AbortSignal.any([ctx.signal, timeout]),
      redirect: "follow",
    });
    text = await response.text();
  } catch (error) {
    throw networkError(call.provider, error, ctx.signal, timeout);
  }
  if (!response.ok) throw httpError(call, response, text);
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(text);
  } catch {
    throw invalidResponse(call.provider, `not JSON: ${text.slice(0, SNIPPET)}`);
  }
  const result = call.schema.safeParse(parsedJson);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidResponse(call.provider, `${issue?.path.join(".") || "body"}: ${issue?.message}; got ${text.slice(0, SNIPPET)}`);
  }
  return result.data;
}

export function invalidResponse(provider: string, detail: string): ProviderError {
  return new ProviderError({ code: "invalid_response", userMessage: `${provider} sent an answer Atelier does not understand.`, detail });
}

function networkError(provider: string, error: unknown, jobSignal: AbortSignal, timeout: AbortSignal): unknown {
  if (jobSignal.aborted) return error;
  if (timeout.aborted) {
    return new ProviderError({ code: "timeout", retryable: true, userMessage: `${provider} did not answer in time.` });
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const refused = cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN";
  return new ProviderError({
    code: "provider_error",
    retryable: true,
    // The connection never opened, so the provider cannot have received (or billed) anything.
    notReceived: refused,
    userMessage: `Atelier could not reach ${provider}.`,
    detail: cause?.code ?? (error instanceof Error ? error.message : String(error)),
  });
}

function httpError<T>(call: ProviderCall<T>, response: Response, text: string): ProviderError {
  let said: string | undefined;
  try {
    said = call.readError?.(JSON.parse(text));
  } catch {
    // Not JSON: fall back to the raw text below.
  }
  const detail = `HTTP ${response.status}: ${(said ?? text).slice(0, SNIPPET) || response.statusText}`;
  const { provider } = call;
  const status = response.status;
  if (status === 401 || status === 403) {
    return new ProviderError({ code: "auth_failed", userMessage: `${provider} rejected the API key. Check it on the server.`, detail });
  }
  if (status === 429) {
    return new ProviderError({
      code: "rate_limited",
      retryable: true,
      notReceived: true,
      retryAfterMs: retryAfter(response.headers.get("retry-after")),
      userMessage: `${provider} is throttling requests right now. Try again in a minute.`,
      detail,
    });
  }
  if (MODERATION.test(said ?? text)) {
    return new ProviderError({ code: "moderated", userMessage: `${provider}'s content filter blocked this request. Rephrase the instruction or use another image.`, detail });
  }
  if (status >= 500) {
    return new ProviderError({ code: "provider_error", retryable: true, userMessage: `${provider} had an internal error.`, detail });
  }
  return new ProviderError({ code: "invalid_request", userMessage: `${provider} refused the request: ${said ?? "no reason given"}.`, detail });
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Decodes base64 image data, with or without a `data:image/…;base64,` prefix. */
export function decodeBase64Image(provider: string, data: string): Buffer {
  const payload = data.replace(/^data:[^;,]+;base64,/, "");
  const bytes = Buffer.from(payload, "base64");
  if (bytes.length === 0) throw invalidResponse(provider, "empty base64 image");
  return bytes;
}
