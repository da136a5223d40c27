import type { AspectRatio, AspectRatioChoice, Mode, ProviderId } from "../catalog";

/**
 * The one interface every provider adapter implements (sync and async alike).
 * Adapters never touch the database or storage: the worker does, so every adapter
 * can be tested against a fake HTTP server with an injected fetch and clock.
 */

export type InputImage = { bytes: Buffer; mime: string; width: number; height: number };

export type GenerationRequest = {
  jobId: string;
  model: string;
  mode: Mode;
  prompt: string;
  /** As the user chose it (may be "match_input"). */
  aspectRatio: AspectRatioChoice;
  /** "match_input" resolved against the first input: the nearest ratio the model allows. */
  resolvedRatio: AspectRatio;
  seed: number;
  n: number;
  inputs: InputImage[];
};

/**
 * A result is either bytes in the answer or a URL to download at once (they expire).
 * `seed` is the seed this image was made with when it differs per image (n > 1).
 */
export type ProviderImage = ({ bytes: Buffer } | { url: string }) & { seed?: number };

export type SubmitResult =
  | { status: "pending"; providerJobId: string; pollAfterMs?: number }
  | { status: "done"; images: ProviderImage[] };

/** `progress`: 0–1, when the provider's answer says how far along the job is. */
export type PollResult = { status: "pending"; pollAfterMs?: number; progress?: number } | { status: "done"; images: ProviderImage[] };

export type ProviderContext = {
  fetch: typeof fetch;
  now: () => number;
  /** Aborted when the user cancels or the server shuts down. */
  signal: AbortSignal;
  /** Limits for one HTTP call: a sync generation call, and any other (submit, poll, download). */
  timeouts: { syncCallMs: number; requestMs: number };
};

/** What an HTTP adapter needs, read when each job runs (so a key set later takes effect). */
export type ProviderConfig = { apiKey: string | undefined; baseUrl: string };

export interface ProviderAdapter {
  readonly id: ProviderId;
  submit(req: GenerationRequest, ctx: ProviderContext): Promise<SubmitResult>;
  /** Async providers only. */
  poll?(providerJobId: string, req: GenerationRequest, ctx: ProviderContext): Promise<PollResult>;
  /** Async providers only; best effort. */
  cancel?(providerJobId: string, ctx: ProviderContext): Promise<void>;
}

export const JOB_ERROR_CODES = [
  "auth_failed",
  "rate_limited",
  "moderated",
  "invalid_request",
  "provider_error",
  "timeout",
  "invalid_response",
  "expired",
  "interrupted",
  "storage_failed",
  "internal",
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];

export type ProviderErrorInit = {
  code: JobErrorCode;
  userMessage: string;
  retryable?: boolean;
  detail?: string;
  retryAfterMs?: number;
  notReceived?: boolean;
};

/** The longest provider detail a job keeps: enough to read, never a whole answer. */
export const DETAIL_MAX = 300;
/** Unbroken runs this long are encoded data (base64 images, tokens), not words. */
const DATA_RUN = /[A-Za-z0-9+/=_-]{64,}/g;

/**
 * A provider's raw words cut to something a person can read: encoded data shortened to its
 * first characters, whitespace folded, at most DETAIL_MAX characters with an ellipsis.
 * Run it after the key is scrubbed, so a cut can never leave part of a key behind.
 */
export function readableDetail(text: string): string {
  const squeezed = text.replace(DATA_RUN, (run) => `${run.slice(0, 12)}…`).replace(/\s+/g, " ").trim();
  return squeezed.length > DETAIL_MAX ? `${squeezed.slice(0, DETAIL_MAX - 1).trimEnd()}…` : squeezed;
}

/** A provider failure with a stable code, whether retrying could help, and words for the designer. */
export class ProviderError extends Error {
  readonly code: JobErrorCode;
  readonly retryable: boolean;
  /** Shown on the job page; never contains a key. */
  readonly userMessage: string;
  /** The provider's own words, shown on the job page behind "Details" (see readableDetail). */
  readonly detail?: string;
  /** How long the provider asked us to wait (Retry-After). */
  readonly retryAfterMs?: number;
  /**
   * True only when the provider certainly did not take the request (429, connection
   * refused): the one case where a submission may be sent again without risking a second bill.
   */
  readonly notReceived: boolean;

  constructor(opts: ProviderErrorInit) {
    super(opts.detail ? `${opts.userMessage} (${opts.detail})` : opts.userMessage);
    this.name = "ProviderError";
    this.code = opts.code;
    this.retryable = opts.retryable ?? false;
    this.userMessage = opts.userMessage;
    this.detail = opts.detail;
    this.retryAfterMs = opts.retryAfterMs;
    this.notReceived = opts.notReceived ?? false;
  }

  /** A copy with some fields replaced (the fields themselves are read-only). */
  withOverrides(overrides: Partial<ProviderErrorInit>): ProviderError {
    const { code, userMessage, retryable, detail, retryAfterMs, notReceived } = this;
    return new ProviderError({ code, userMessage, retryable, detail, retryAfterMs, notReceived, ...overrides });
  }
}
