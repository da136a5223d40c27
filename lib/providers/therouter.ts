import "server-only";
import { z } from "zod";
import { kontextSize } from "../sizes";
import { callProvider, decodeBase64Image, invalidResponse } from "./http";
import { prepareInput } from "./input-image";
import {
  type PollResult,
  type ProviderAdapter,
  type ProviderConfig,
  type ProviderContext,
  ProviderError,
  type SubmitResult,
} from "./types";

/**
 * TheRouter (document 000): async jobs only. Submit with `?async=true` (generation takes
 * 30–180 s, past any sync edge timeout), then poll GET /v1/jobs/{id} until succeeded,
 * failed, cancelled or expired. Generate is JSON; edit is multipart with the image file.
 */

const PROVIDER = "TheRouter";
const FIRST_POLL_MS = 3000;
// The document's example sleeps 5 s between polls.
const POLL_MS = 5000;
const TERMINAL = ["succeeded", "failed", "cancelled", "expired"];
const MODERATION = /moderat|nsfw|safety|content[ _-]?(policy|filter)|flagged|sensitive|inappropriate|prohibited/i;

const httpUrl = z.url({ protocol: /^https?$/ });
// The document only shows `id`, `status`, `polling_url` and `unsigned_urls`. Where the error
// text of a failed job lives is not documented, so `error` (string or {message}) and
// `message` are both read; `result.data[]` is the OpenAI-style shape some routers use.
const JobSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  unsigned_urls: z.array(httpUrl).nullish(),
  result: z
    .object({ data: z.array(z.object({ url: httpUrl.nullish(), b64_json: z.string().nullish() })).nullish() })
    .nullish(),
  error: z.union([z.string(), z.object({ message: z.string().nullish() })]).nullish(),
  message: z.string().nullish(),
});
type Job = z.infer<typeof JobSchema>;

const ErrorBody = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
});
// The document shows no error body; accept the common shapes {error:{message}}, {message}, {detail}.
const readError = (body: unknown) => {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { error, message, detail } = parsed.data;
  return (typeof error === "string" ? error : error?.message) ?? message ?? detail;
};

export function createTheRouterAdapter(config: () => ProviderConfig): ProviderAdapter {
  /** Every call goes through callProvider; the key is scrubbed from any error a provider echoes it in. */
  async function call(ctx: ProviderContext, path: string, init: { json?: unknown; form?: FormData } = {}): Promise<Job> {
    const { apiKey, baseUrl } = settings(config);
    try {
      return await callProvider(ctx, {
        provider: PROVIDER,
        url: `${baseUrl.replace(/\/+$/, "")}${path}`,
        apiKey,
        ...init,
        timeoutMs: ctx.timeouts.requestMs,
        schema: JobSchema,
        readError,
      });
    } catch (error) {
      throw redactKey(error, apiKey);
    }
  }

  return {
    id: "therouter",

    async submit(req, ctx): Promise<SubmitResult> {
      settings(config); // a missing key fails before any image work
      const { width, height } = kontextSize(req.resolvedRatio);
      const fields = { model: req.model, prompt: req.prompt, size: `${width}x${height}`, seed: req.seed };
      let job: Job;
      if (req.mode === "edit") {
        const input = req.inputs[0];
        if (!input) throw new ProviderError({ code: "invalid_request", userMessage: "Editing needs an input image." });
        const image = await prepareInput(input);
        const form = new FormData();
        for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
        const filename = image.mime === "image/png" ? "input.png" : "input.jpg";
        form.append("image", new Blob([new Uint8Array(image.bytes)], { type: image.mime }), filename);
        job = await call(ctx, "/v1/images/edits?async=true", { form });
      } else {
        job = await call(ctx, "/v1/images/generations?async=true", { json: fields });
      }
      // The job may already be paid for, so only a terminal status is judged here; any other
      // word (the document shows "queued") keeps the id and leaves the verdict to the polls.
      const result = TERMINAL.includes(job.status) ? interpret(job) : undefined;
      return result?.status === "done" ? result : { status: "pending", providerJobId: job.id, pollAfterMs: FIRST_POLL_MS };
    },

    async poll(providerJobId, _req, ctx) {
      // polling_url is not followed: it could name another origin, and the key only goes to baseUrl.
      return interpret(await call(ctx, `/v1/jobs/${encodeURIComponent(providerJobId)}`));
    },

    async cancel() {
      // The document shows no cancel endpoint, so there is nothing to call; an abandoned job
      // simply ends on TheRouter's side (and is billed or not as TheRouter decides).
    },
  };
}

function settings(config: () => ProviderConfig): { apiKey: string; baseUrl: string } {
  const { apiKey, baseUrl } = config();
  if (!apiKey) {
    throw new ProviderError({ code: "auth_failed", userMessage: `${PROVIDER} is not configured: set THEROUTER_API_KEY on the server.` });
  }
  return { apiKey, baseUrl };
}

function interpret(job: Job): PollResult {
  const said = (typeof job.error === "string" ? job.error : job.error?.message) ?? job.message ?? undefined;
  switch (job.status) {
    case "queued":
    case "in_progress":
      return { status: "pending", pollAfterMs: POLL_MS };
    case "succeeded": {
      const url = job.unsigned_urls?.[0] ?? job.result?.data?.[0]?.url;
      if (url) return { status: "done", images: [{ url }] };
      const b64 = job.result?.data?.[0]?.b64_json;
      if (b64) return { status: "done", images: [{ bytes: decodeBase64Image(PROVIDER, b64) }] };
      throw invalidResponse(PROVIDER, `job ${job.id} succeeded without an image`);
    }
    case "failed":
      if (said && MODERATION.test(said)) {
        throw new ProviderError({ code: "moderated", userMessage: `${PROVIDER}'s content filter blocked this request. Rephrase the instruction or use another image.`, detail: said });
      }
      throw new ProviderError({ code: "provider_error", userMessage: `${PROVIDER} could not make this image.`, detail: said ?? "failed without a reason" });
    case "cancelled":
      throw new ProviderError({ code: "provider_error", userMessage: `${PROVIDER} canceled this job on its side.`, detail: said });
    case "expired":
      throw new ProviderError({ code: "expired", userMessage: `${PROVIDER} let this job expire before it finished.`, detail: said });
    default:
      throw invalidResponse(PROVIDER, `unknown job status ${JSON.stringify(job.status)}`);
  }
}

/** A provider that echoes the key back (e.g. "invalid key sk-…") must not get it onto the job page. */
function redactKey(error: unknown, key: string): unknown {
  if (!(error instanceof ProviderError) || !error.message.includes(key)) return error;
  const scrub = (s: string) => s.split(key).join("[redacted]");
  const { code, retryable, retryAfterMs, notReceived, userMessage, detail } = error;
  return new ProviderError({ code, retryable, retryAfterMs, notReceived, userMessage: scrub(userMessage), detail: detail && scrub(detail) });
}
