import "server-only";
import { z } from "zod";
import { CATALOG, MATCH_INPUT } from "../catalog";
import { editInput, errorText, failedJobError, httpUrl, invalidResponse, providerClient, submittedJob } from "./http";
import { prepareInput, toDataUri } from "./input-image";
import { type PollResult, type ProviderAdapter, type ProviderConfig, type ProviderContext, ProviderError, type SubmitResult } from "./types";

/**
 * QuickRouter (document 003): a proxy for Replicate's prediction protocol. The document
 * covers only the create call and its `{id, status: "starting"}` answer; polling, statuses,
 * `output`, cancel and the `{detail}` error body follow Replicate's protocol, which the
 * proxy mirrors under /replicate/v1.
 */

const PROVIDER = CATALOG.quickrouter.label;
// Not documented: Kontext pro usually finishes within seconds, so a short interval.
const POLL_MS = 2000;
const TERMINAL = ["succeeded", "failed", "canceled", "cancelled"];
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
  return detail ?? errorText(error) ?? title;
};

export function createQuickRouterAdapter(config: () => ProviderConfig): ProviderAdapter {
  /**
   * Every URL is the configured origin plus a fixed path. `urls.get`/`urls.cancel` from the
   * answer are deliberately not followed: upstream Replicate points them at its own origin,
   * and the key must only ever go to the configured one. The id alone is enough to resume.
   */
  const api = providerClient({ provider: PROVIDER, envVar: CATALOG.quickrouter.envKey, config, readError });
  const call = <R>(ctx: ProviderContext, path: string, interpret: (p: Prediction) => R, body: { json?: unknown } = {}) =>
    api.call(ctx, path, { ...body, timeoutMs: ctx.timeouts.requestMs, schema: PredictionSchema, interpret });
  const predictionPath = (id: string) => `/replicate/v1/predictions/${encodeURIComponent(id)}`;

  return {
    id: "quickrouter",

    async submit(req, ctx): Promise<SubmitResult> {
      api.settings(); // a missing key fails before any image work
      const input = req.mode === "edit" ? editInput(req) : undefined;
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
      // Only a terminal status is judged at once (Replicate can answer a finished prediction).
      return call(ctx, `/replicate/v1/models/${model}/predictions`, (p) => submittedJob(p, TERMINAL, interpret, POLL_MS), { json: body });
    },

    async poll(providerJobId, _req, ctx) {
      return call(ctx, predictionPath(providerJobId), interpret);
    },

    async cancel(providerJobId, ctx) {
      // Best effort: the answer (the prediction, per Replicate) is not needed, so any JSON will do.
      await api.call(ctx, `${predictionPath(providerJobId)}/cancel`, { method: "POST", timeoutMs: ctx.timeouts.requestMs, schema: z.unknown() });
    },
  };
}

function interpret(p: Prediction): PollResult {
  const said = errorText(p.error);
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
      throw failedJobError(PROVIDER, said);
    case "canceled":
    case "cancelled": // Replicate spells it "canceled"; the other spelling costs nothing to accept.
      throw new ProviderError({ code: "provider_error", userMessage: `The prediction was canceled at the provider (${PROVIDER}).`, detail: said });
    default:
      throw invalidResponse(PROVIDER, `unknown prediction status ${JSON.stringify(p.status)}`);
  }
}

/** The registry's entry point (lib/providers/registry.ts). */
export const createAdapter = createQuickRouterAdapter;
