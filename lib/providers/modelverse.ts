import "server-only";
import sharp from "sharp";
import { z } from "zod";
import { CATALOG } from "../catalog";
import { editInput, fromOpenAiImage, invalidResponse, isModerationText, moderatedError, OpenAiImage, providerClient } from "./http";
import { prepareInput, toDataUri } from "./input-image";
import { type GenerationRequest, type ProviderAdapter, type ProviderConfig, ProviderError } from "./types";

/**
 * Modelverse (document 002): OpenAI-compatible, synchronous POST /v1/images/generations that
 * answers `{created, data:[{url | b64_json}]}` or `{error:{message, type, param, code}}`.
 */

const PROVIDER = CATALOG.modelverse.label;
// From the provider's other pages (unverified, not in shared/provider-docs): edit inputs up to 10 MB, sides ≥ 128 px.
const MAX_INPUT_BYTES = 10 * 1024 * 1024;
const MIN_INPUT_SIDE = 128;

const ErrorObject = z.object({
  message: z.string().nullish(),
  type: z.string().nullish(),
  /** The document calls `param` the request id: kept so support can trace the call. */
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});
type ErrorObject = z.infer<typeof ErrorObject>;

// The example answer carries both url and b64_json.
const Answer = z.object({
  created: z.number().optional(),
  data: z.array(OpenAiImage).nullish(),
  error: ErrorObject.nullish(),
});

const said = (e: ErrorObject) => {
  const message = e.message || (e.code != null ? String(e.code) : undefined);
  return message && e.param ? `${message} (request id: ${e.param})` : (message ?? (e.param ? `request id: ${e.param}` : undefined));
};

function readError(body: unknown): string | undefined {
  const parsed = z.object({ error: ErrorObject }).safeParse(body);
  return parsed.success ? said(parsed.data.error) : undefined;
}

/** A 200 answer carrying `error` instead of `data`. The document lists no error codes or types, so we classify by words. */
function answeredError(e: ErrorObject): ProviderError {
  const reason = said(e) ?? "no reason given";
  const detail = `HTTP 200: ${reason}`.slice(0, 300);
  if (isModerationText(`${reason} ${e.type ?? ""} ${e.code ?? ""}`)) return moderatedError(PROVIDER, detail);
  if (/invalid|param|bad[ _-]?request|unsupported/i.test(`${e.type ?? ""} ${e.code ?? ""}`)) {
    return new ProviderError({ code: "invalid_request", userMessage: `${PROVIDER} refused the request: ${e.message || "no reason given"}.`, detail });
  }
  return new ProviderError({ code: "provider_error", retryable: true, userMessage: `${PROVIDER} reported an error.`, detail });
}

export function createModelverseAdapter(config: () => ProviderConfig): ProviderAdapter {
  const api = providerClient({ provider: PROVIDER, envVar: CATALOG.modelverse.envKey, config, readError });
  return {
    id: "modelverse",

    async submit(req, ctx) {
      api.settings(); // a missing key fails before any image work
      // Explicit seed so the recorded one reproduces; b64_json so nothing depends on URLs that expire.
      const body: Record<string, unknown> = {
        model: req.model,
        prompt: req.prompt,
        n: req.n,
        aspect_ratio: req.resolvedRatio,
        seed: req.seed,
        response_format: "b64_json",
      };
      // UNVERIFIED: the edit models (black-forest-labs/flux-kontext-pro / -max) and their `image`
      // field (URL or data URI) come from the provider's other pages, not from document 002.
      if (req.mode === "edit") body.image = await editImage(req);
      const images = await api.call(ctx, "/v1/images/generations", {
        json: body,
        timeoutMs: ctx.timeouts.syncCallMs,
        schema: Answer,
        interpret: (answer) => {
          const data = answer.data ?? [];
          if (data.length === 0 && answer.error) throw answeredError(answer.error);
          if (data.length < req.n) throw invalidResponse(PROVIDER, `asked for ${req.n} image(s), got ${data.length}`);
          // The document does not say how seeds differ between the n images of one call, so no per-image seed.
          return data.slice(0, req.n).map((item) => fromOpenAiImage(PROVIDER, item));
        },
      });
      return { status: "done", images };
    },
  };
}

async function editImage(req: GenerationRequest): Promise<string> {
  const prepared = await prepareInput(editInput(req), { maxBytes: MAX_INPUT_BYTES });
  const { width = 0, height = 0 } = await sharp(prepared.bytes).metadata();
  if (Math.min(width, height) < MIN_INPUT_SIDE) {
    // Refused here rather than sent: the provider would reject it anyway, possibly after billing.
    throw new ProviderError({
      code: "invalid_request",
      userMessage: `Modelverse needs input images at least ${MIN_INPUT_SIDE} px on each side (this one is ${width}×${height}).`,
    });
  }
  return toDataUri(prepared);
}

/** The registry's entry point (lib/providers/registry.ts). */
export const createAdapter = createModelverseAdapter;
