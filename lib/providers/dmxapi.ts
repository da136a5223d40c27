import "server-only";
import { CATALOG } from "../catalog";
import { nthSeed } from "../schemas";
import { z } from "zod";
import { fromOpenAiImage, OpenAiImage, providerClient } from "./http";
import { type ProviderAdapter, type ProviderConfig, type ProviderImage, ProviderError } from "./types";

/**
 * DMXAPI (document 001): one synchronous POST /v1/images/generations per image, text-to-image
 * only. The document says `n` must stay 1 ("改了会报错"), so a request for n images becomes n
 * sequential calls with consecutive seeds, each image keeping the seed it was made with.
 */

const PROVIDER = CATALOG.dmxapi.label;

// The document shows only `data[0].b64_json`; `url` is accepted as well in case the proxy
// answers the OpenAI way.
const Answer = z.object({ data: z.array(OpenAiImage).min(1) });

// The document shows no error body at all; these are the shapes DMXAPI-style proxies use.
// `.catch` keeps one odd field from hiding the others.
const ErrorBody = z.object({
  error: z.object({ message: z.string() }).optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  msg: z.string().optional().catch(undefined),
});

function readError(body: unknown): string | undefined {
  const parsed = ErrorBody.safeParse(body);
  return parsed.success ? (parsed.data.error?.message ?? parsed.data.message ?? parsed.data.msg) : undefined;
}

export function createDmxapiAdapter(config: () => ProviderConfig): ProviderAdapter {
  const api = providerClient({ provider: PROVIDER, envVar: CATALOG.dmxapi.envKey, config, readError });
  return {
    id: "dmxapi",

    async submit(req, ctx) {
      if (req.mode === "edit") {
        throw new ProviderError({ code: "invalid_request", userMessage: "DMXAPI does not document image editing; choose another provider to edit." });
      }
      api.settings(); // a missing key fails before any call
      const images: ProviderImage[] = [];
      for (let i = 0; i < req.n; i++) {
        // Always an explicit seed (never the document's -1 = random) so the recorded seed reproduces.
        const seed = nthSeed(req.seed, i);
        try {
          images.push(
            await api.call(ctx, "/v1/images/generations", {
              // The document's ratios are written with "x": "16x9", "3x2", …
              json: { model: req.model, prompt: req.prompt, size: req.resolvedRatio.replace(":", "x"), n: 1, seed },
              timeoutMs: ctx.timeouts.syncCallMs,
              schema: Answer,
              interpret: (answer) => ({ ...fromOpenAiImage(PROVIDER, answer.data[0]!), seed }),
            }),
          );
        } catch (error) {
          // Earlier calls succeeded and may already be billed: fail the job rather than return
          // fewer images, and never let the worker resend the whole batch (which would bill them again).
          if (i === 0 || !(error instanceof ProviderError)) throw error;
          const note = `image ${i + 1} of ${req.n}; ${i} earlier image(s) may be billed`;
          throw error.withOverrides({ notReceived: false, detail: [error.detail, note].filter(Boolean).join("; ") });
        }
      }
      return { status: "done", images };
    },
  };
}

/** The registry's entry point (lib/providers/registry.ts). */
export const createAdapter = createDmxapiAdapter;
