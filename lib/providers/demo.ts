import "server-only";
import { nthSeed } from "../schemas";
import { renderDemo } from "../demo/render";
import { editInput } from "./http";
import { type GenerationRequest, type PollResult, type ProviderAdapter, type ProviderContext, ProviderError } from "./types";

/**
 * The offline demo provider. It behaves like a real async provider (submit, then poll until
 * ready) so the demo exercises the same worker pipeline. It keeps no state: the start time
 * lives in the job id and the picture derives from the request, so polling survives a restart.
 */

const ID_PATTERN = /^demo_(\d+)$/;

export function createDemoAdapter(opts: { delayMs: () => number }): ProviderAdapter {
  // A bad setting should not stall jobs forever or poll in a tight loop with NaN.
  const delay = () => {
    const ms = opts.delayMs();
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  };

  return {
    id: "demo",

    async submit(_req, ctx) {
      ctx.signal.throwIfAborted();
      return { status: "pending", providerJobId: `demo_${Math.floor(ctx.now())}`, pollAfterMs: delay() };
    },

    async poll(providerJobId, req, ctx): Promise<PollResult> {
      ctx.signal.throwIfAborted();
      const match = ID_PATTERN.exec(providerJobId);
      if (!match) {
        throw new ProviderError({
          code: "invalid_response",
          userMessage: "The demo engine does not recognise this job.",
          detail: `unexpected job id ${JSON.stringify(providerJobId)}`,
        });
      }
      const remaining = Number(match[1]) + delay() - ctx.now();
      if (remaining > 0) return { status: "pending", pollAfterMs: Math.ceil(remaining), progress: Math.max(0, 1 - remaining / delay()) };
      return { status: "done", images: await renderAll(req, ctx) };
    },

    async cancel() {
      // Nothing runs between polls, so there is nothing to stop.
    },
  };
}

async function renderAll(req: GenerationRequest, ctx: ProviderContext) {
  const input = req.mode === "edit" ? editInput(req) : undefined;
  const images: { bytes: Buffer; seed: number }[] = [];
  for (let i = 0; i < req.n; i++) {
    const seed = nthSeed(req.seed, i);
    const { bytes } = await renderDemo({
      prompt: req.prompt,
      seed,
      ratio: req.resolvedRatio,
      input,
    });
    // Check between images so a cancelled job stops early rather than after all n.
    ctx.signal.throwIfAborted();
    images.push({ bytes, seed });
  }
  return images;
}


export const demoAdapter: ProviderAdapter = createDemoAdapter({
  delayMs: () => Number(process.env.DEMO_DELAY_MS ?? 3000),
});

/** The registry's entry point; the demo engine needs no key or origin. */
export const createAdapter = () => demoAdapter;
