import "server-only";
import { z } from "zod";
import { MATCH_INPUT } from "../catalog";
import { callProvider, invalidResponse } from "./http";
import { prepareInput, toDataUri } from "./input-image";
import { type PollResult, type ProviderAdapter, type ProviderConfig, type ProviderContext, ProviderError, type SubmitResult } from "./types";

/**
 * QuickRouter (document 003): a proxy for Replicate's prediction protocol. The document
 * covers only the create call and its `{id, status: "starting"}` answer; polling, statuses,
 * `output`, cancel and the `{detail}` error body follow Replicate's protocol, which the
 * proxy mirrors under /replicate/v1.
 */

const PROVIDER = "QuickRouter";
// Not documented: Kontext pro usually finishes within seconds, so a short interval.
const POLL_MS = 2000;
const TERMINAL = ["succeeded", "failed", "canceled", "cancelled"];
const MODERATION = /moderat|nsfw|safety|content[ _-]?(policy|filter)|flagged|sensitive|inappropriate|prohibited/i;

const httpUrl = z.url({ protocol: /^https?$/ });
const PredictionSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  // Replicate gives Kontext's output as one URL; a one-element list is accepted as well.
  output: z.union([httpUrl, z.array(httpUrl)]).nullish(),
  error: z.union([z.string(), z.object({ message: z.string() })]).nullish(),
});
type Prediction = z.infer<typeof PredictionSchema>;

// Replicate's errors are {detail} (with a title on validation errors); {error:{message}} is accepted too.
const ErrorBody = z.object({
  detail: z.string().optional(),
  title: z.string().optional(),
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
});
const readError = (body: unknown) => {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { detail, title, error } = parsed.data;
  return detail ?? (typeof error === "string" ? error : error?.message) ?? title;
};

export function createQuickRouterAdapter(config: () => ProviderConfig): ProviderAdapter {
  /**
   * Every URL is the configured origin plus a fixed path. `urls.get`/`urls.cancel` from the
   * answer are deliberately not followed: upstream Replicate points them at its own origin,
   * and the key must only ever go to the configured one. The id alone is enough to resume.
   */
  async function call<T>(ctx: ProviderContext, path: string, schema: z.ZodType<T>, init: { json?: unknown; method?: "POST" } = {}) {
    const { apiKey, baseUrl } = settings(config);
    try {
      return await callProvider(ctx, {
        provider: PROVIDER,
        url: `${baseUrl.replace(/\/+$/, "")}${path}`,
        apiKey,
        ...init,
        timeoutMs: ctx.timeouts.requestMs,
        schema,
        readError,
      });
    } catch (error) {
      throw redactKey(error, apiKey);
    }
  }
  const predictionPath = (id: string) => `/replicate/v1/predictions/${encodeURIComponent(id)}`;

  return {
    id: "quickrouter",

    async submit(req, ctx): Promise<SubmitResult> {
      settings(config); // a missing key fails before any image work
      const input = req.mode === "edit" ? req.inputs[0] : undefined;
      if (req.mode === "edit" && !input) throw new ProviderError({ code: "invalid_request", userMessage: "Editing needs an input image." });
      const body = {
        input: {
          prompt: req.prompt,
          ...(input ? { input_image: toDataUri(await prepareInput(input)) } : {}),
          // "match_input_image" only means something with an input; without one the resolved ratio
          // (1:1) is sent, since the document does not say what the model does then.
          aspect_ratio: input && req.aspectRatio === MATCH_INPUT ? "match_input_image" : req.resolvedRatio,
          output_format: "png",
          // 2 is the document's maximum with an input image and its default; sent in both modes.
          safety_tolerance: 2,
          seed: req.seed,
        },
      };
      const model = req.model.split("/").map(encodeURIComponent).join("/");
      const created = await call(ctx, `/replicate/v1/models/${model}/predictions`, PredictionSchema, { json: body });
      // The prediction may already be paid for, so only a terminal status is judged here (Replicate
      // can answer a finished one); any other word keeps the id and leaves the verdict to the polls.
      const result = TERMINAL.includes(created.status) ? interpret(created) : undefined;
      return result?.status === "done" ? result : { status: "pending", providerJobId: created.id, pollAfterMs: POLL_MS };
    },

    async poll(providerJobId, _req, ctx) {
      return interpret(await call(ctx, predictionPath(providerJobId), PredictionSchema));
    },

    async cancel(providerJobId, ctx) {
      // Best effort: the answer (the prediction, per Replicate) is not needed, so any JSON will do.
      await call(ctx, `${predictionPath(providerJobId)}/cancel`, z.unknown(), { method: "POST" });
    },
  };
}

function settings(config: () => ProviderConfig): { apiKey: string; baseUrl: string } {
  const { apiKey, baseUrl } = config();
  if (!apiKey) {
    throw new ProviderError({ code: "auth_failed", userMessage: `${PROVIDER} is not configured: set QUICKROUTER_API_KEY on the server.` });
  }
  return { apiKey, baseUrl };
}

function interpret(p: Prediction): PollResult {
  const said = (typeof p.error === "string" ? p.error : p.error?.message) ?? undefined;
  switch (p.status) {
    case "starting":
    case "processing":
      return { status: "pending", pollAfterMs: POLL_MS };
    case "succeeded": {
      const url = Array.isArray(p.output) ? p.output[0] : p.output;
      if (!url) throw invalidResponse(PROVIDER, `prediction ${p.id} succeeded without an output URL`);
      return { status: "done", images: [{ url }] };
    }
    case "failed":
      if (said && MODERATION.test(said)) {
        throw new ProviderError({ code: "moderated", userMessage: `${PROVIDER}'s content filter blocked this request. Rephrase the instruction or use another image.`, detail: said });
      }
      throw new ProviderError({ code: "provider_error", userMessage: `${PROVIDER} could not make this image.`, detail: said ?? "failed without a reason" });
    case "canceled":
    case "cancelled": // Replicate spells it "canceled"; the other spelling costs nothing to accept.
      throw new ProviderError({ code: "provider_error", userMessage: `The prediction was canceled at the provider (${PROVIDER}).`, detail: said });
    default:
      throw invalidResponse(PROVIDER, `unknown prediction status ${JSON.stringify(p.status)}`);
  }
}

/** A provider that echoes the key back (e.g. "invalid token sk-…") must not get it onto the job page. */
function redactKey(error: unknown, key: string): unknown {
  if (!(error instanceof ProviderError) || !error.message.includes(key)) return error;
  const scrub = (s: string) => s.split(key).join("[redacted]");
  const { code, retryable, retryAfterMs, notReceived, userMessage, detail } = error;
  return new ProviderError({ code, retryable, retryAfterMs, notReceived, userMessage: scrub(userMessage), detail: detail && scrub(detail) });
}
