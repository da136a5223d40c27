import "server-only";
import { z } from "zod";
import {
  type GenerationRequest,
  type InputImage,
  type PollResult,
  type ProviderConfig,
  type ProviderContext,
  ProviderError,
  readableDetail,
  type SubmitResult,
} from "./types";

/**
 * The one place provider HTTP answers become data or typed errors, so every adapter
 * maps faults the same way: auth → auth_failed, 429 → rate_limited (+ Retry-After),
 * 400/422 → invalid_request or moderated, 5xx → provider_error, bad JSON → invalid_response.
 * Below that, what the HTTP adapters share in reading answers: moderation words, failed
 * and just-submitted jobs, edit inputs, OpenAI-style images.
 */

export type ProviderCall<T, R = T> = {
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
  /**
   * Makes sense of the parsed answer (a job status, images, a 200 carrying an error). Runs
   * inside callProvider so the errors it builds from the provider's words are scrubbed too.
   */
  interpret?: (answer: T) => R;
};

const MODERATION = /moderat|nsfw|safety|content[ _-]?(policy|filter)|flagged|sensitive|inappropriate|prohibited/i;
/** How much of a raw answer is read into a detail; readableDetail cuts it to show. */
const SNIPPET = 2000;

/** A provider's calls, each to its configured origin with the key read at call time (so a key set later takes effect). */
export type ProviderClient = {
  /** The key and base URL (without trailing slashes); auth_failed naming the variable to set when the key is missing. */
  settings(): { apiKey: string; baseUrl: string };
  call<T, R = T>(ctx: ProviderContext, path: string, request: Omit<ProviderCall<T, R>, "provider" | "url" | "apiKey" | "readError">): Promise<R>;
};

export function providerClient(opts: {
  provider: string;
  envVar: string;
  config: () => ProviderConfig;
  readError: (body: unknown) => string | undefined;
}): ProviderClient {
  const { provider, envVar, config, readError } = opts;
  const settings = () => {
    const { apiKey, baseUrl } = config();
    if (!apiKey) throw new ProviderError({ code: "auth_failed", userMessage: `${provider} is not configured: set ${envVar} on the server.` });
    return { apiKey, baseUrl: baseUrl.replace(/\/+$/, "") };
  };
  return {
    settings,
    call(ctx, path, request) {
      const { apiKey, baseUrl } = settings();
      return callProvider(ctx, { provider, url: `${baseUrl}${path}`, apiKey, readError, ...request });
    },
  };
}

/**
 * Every ProviderError it throws, from the HTTP call or from `interpret`, has the key replaced
 * by "[redacted]": a provider that echoes it (e.g. "invalid key sk-…") must not get it onto the job page.
 * Then its detail is cut to a readable length (after the scrub, so no cut leaves half a key).
 */
async function callProvider<T, R = T>(ctx: ProviderContext, call: ProviderCall<T, R>): Promise<R> {
  try {
    const answer = await send(ctx, call);
    return call.interpret ? call.interpret(answer) : (answer as unknown as R);
  } catch (error) {
    throw readable(redactKey(error, call.apiKey));
  }
}

async function send<T>(ctx: ProviderContext, call: ProviderCall<T, unknown>): Promise<T> {
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

function redactKey(error: unknown, apiKey: string): unknown {
  if (!(error instanceof ProviderError) || !apiKey || !error.message.includes(apiKey)) return error;
  const scrub = (s: string) => s.replaceAll(apiKey, "[redacted]");
  return error.withOverrides({ userMessage: scrub(error.userMessage), detail: error.detail && scrub(error.detail) });
}

function readable(error: unknown): unknown {
  if (!(error instanceof ProviderError) || !error.detail) return error;
  return error.withOverrides({ detail: readableDetail(error.detail) });
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

function httpError<T>(call: ProviderCall<T, unknown>, response: Response, text: string): ProviderError {
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
  if (isModerationText(said ?? text)) return moderatedError(provider, detail);
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

export function invalidResponse(provider: string, detail: string): ProviderError {
  return new ProviderError({ code: "invalid_response", userMessage: `${provider} sent an answer Atelier does not understand.`, detail });
}

/** Whether a provider's words say its content filter refused the request. */
export const isModerationText = (text: string) => MODERATION.test(text);

export function moderatedError(provider: string, detail: string): ProviderError {
  return new ProviderError({ code: "moderated", userMessage: `${provider}'s content filter blocked this request. Rephrase the instruction or use another image.`, detail });
}

/** An async job the provider reports as failed: moderated when its words say so, else a provider_error. */
export function failedJobError(provider: string, said: string | undefined): ProviderError {
  if (said && isModerationText(said)) return moderatedError(provider, said);
  return new ProviderError({ code: "provider_error", userMessage: `${provider} could not make this image.`, detail: said ?? "failed without a reason" });
}

/**
 * What a submit answer means for an async job. It may already be paid for, so only a terminal
 * status is judged here; any other word keeps the id and leaves the verdict to the polls.
 */
export function submittedJob<J extends { id: string; status: string }>(
  job: J,
  terminal: readonly string[],
  interpret: (job: J) => PollResult,
  pollAfterMs: number,
): SubmitResult {
  const result = terminal.includes(job.status) ? interpret(job) : undefined;
  return result?.status === "done" ? result : { status: "pending", providerJobId: job.id, pollAfterMs };
}

/** The words of an `error` field sent either as a string or as `{message}`. */
export function errorText(error: string | { message?: string | null } | null | undefined): string | undefined {
  return (typeof error === "string" ? error : error?.message) ?? undefined;
}

/** The image an edit works on, refused before any call when there is none. */
export function editInput(req: GenerationRequest): InputImage {
  const input = req.inputs[0];
  if (!input) throw new ProviderError({ code: "invalid_request", userMessage: "Editing needs an input image." });
  return input;
}

/** Result URLs: http(s) only, never file: or javascript:. */
export const httpUrl = z.url({ protocol: /^https?$/ });

/** One image of an OpenAI-style answer: b64_json or url, the unused one possibly sent as null. */
export const OpenAiImage = z
  .object({ b64_json: z.string().min(1).nullish(), url: z.url().nullish() })
  .refine((item) => item.b64_json || item.url, "an image needs b64_json or url");

/** The bytes when the answer carries them, else the URL (for the worker to download at once). */
export function fromOpenAiImage(provider: string, item: z.infer<typeof OpenAiImage>): { bytes: Buffer } | { url: string } {
  return item.b64_json ? { bytes: decodeBase64Image(provider, item.b64_json) } : { url: item.url! };
}

/** Decodes base64 image data, with or without a `data:image/…;base64,` prefix. */
export function decodeBase64Image(provider: string, data: string): Buffer {
  const payload = data.replace(/^data:[^;,]+;base64,/, "");
  const bytes = Buffer.from(payload, "base64");
  if (bytes.length === 0) throw invalidResponse(provider, "empty base64 image");
  return bytes;
}
