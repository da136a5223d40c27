import "server-only";
import { z } from "zod";
import { CATALOG } from "../catalog";
import { kontextSize } from "../sizes";
import { decodeBase64Image, editInput, errorText, failedJobError, httpUrl, invalidResponse, providerClient, submittedJob } from "./http";
import { prepareInput } from "./input-image";
import { type PollResult, type ProviderAdapter, type ProviderConfig, type ProviderContext, ProviderError, type SubmitResult } from "./types";

/**
 * TheRouter (document 000): async jobs only. Submit with `?async=true` (generation takes
 * 30–180 s, past any sync edge timeout), then poll GET /v1/jobs/{id} until succeeded,
 * failed, cancelled or expired. Generate is JSON; edit is multipart with the image file.
 */

const PROVIDER = CATALOG.therouter.label;
const FIRST_POLL_MS = 3000;
// The document's example sleeps 5 s between polls.
const POLL_MS = 5000;
const TERMINAL = ["succeeded", "failed", "cancelled", "expired"];
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
  return errorText(error) ?? message ?? detail;
};

export function createTheRouterAdapter(config: () => ProviderConfig): ProviderAdapter {
  const api = providerClient({ provider: PROVIDER, envVar: CATALOG.therouter.envKey, config, readError });
  const call = <R>(ctx: ProviderContext, path: string, interpret: (job: Job) => R, body: { json?: unknown; form?: FormData } = {}) =>
    api.call(ctx, path, { ...body, timeoutMs: ctx.timeouts.requestMs, schema: JobSchema, interpret });

  return {
    id: "therouter",

    async submit(req, ctx): Promise<SubmitResult> {
      api.settings(); // a missing key fails before any image work
      const { width, height } = kontextSize(req.resolvedRatio);
      const fields = { model: req.model, prompt: req.prompt, size: `${width}x${height}`, seed: req.seed };
      // Only a terminal status is judged at once; any other word (the document shows "queued") means pending.
      const accepted = (job: Job) => submittedJob(job, TERMINAL, interpret, FIRST_POLL_MS);
      if (req.mode === "edit") {
        const image = await prepareInput(editInput(req));
        const form = new FormData();
        for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
        const filename = image.mime === "image/png" ? "input.png" : "input.jpg";
        form.append("image", new Blob([new Uint8Array(image.bytes)], { type: image.mime }), filename);
        return call(ctx, "/v1/images/edits?async=true", accepted, { form });
      }
      return call(ctx, "/v1/images/generations?async=true", accepted, { json: fields });
    },

    async poll(providerJobId, _req, ctx) {
      // polling_url is not followed: it could name another origin, and the key only goes to baseUrl.
      return call(ctx, `/v1/jobs/${encodeURIComponent(providerJobId)}`, interpret);
    },

    async cancel() {
      // The document shows no cancel endpoint, so there is nothing to call; an abandoned job
      // simply ends on TheRouter's side (and is billed or not as TheRouter decides).
    },
  };
}

function interpret(job: Job): PollResult {
  const said = errorText(job.error) ?? job.message ?? undefined;
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
      throw failedJobError(PROVIDER, said);
    case "cancelled":
      throw new ProviderError({ code: "provider_error", userMessage: `${PROVIDER} canceled this job on its side.`, detail: said });
    case "expired":
      throw new ProviderError({ code: "expired", userMessage: `${PROVIDER} let this job expire before it finished.`, detail: said });
    default:
      throw invalidResponse(PROVIDER, `unknown job status ${JSON.stringify(job.status)}`);
  }
}

/** The registry's entry point (lib/providers/registry.ts). */
export const createAdapter = createTheRouterAdapter;
