/**
 * What each provider and model can do, as data. The UI, the request schemas, the env
 * validation, the adapter registry and the worker all read this; adding a model is one entry,
 * adding a provider is one entry here plus one adapter file, lib/providers/<id>.ts.
 * Safe for the browser: it holds no keys, no server code and no zod (so it adds little to a page).
 */

/** Kontext's native ratios (BFL's table) plus the extra ones QuickRouter accepts. */
export const ASPECT_RATIOS = [
  "1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "9:21", "4:5", "5:4", "2:1", "1:2",
] as const;
export const MATCH_INPUT = "match_input" as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export type AspectRatioChoice = AspectRatio | typeof MATCH_INPUT;

export const MODES = ["generate", "edit"] as const;
export type Mode = (typeof MODES)[number];

export type ModelSpec = {
  readonly id: string;
  readonly label: string;
  readonly modes: readonly Mode[];
  readonly aspectRatios: readonly AspectRatioChoice[];
  readonly seed: boolean;
  readonly minN: number;
  readonly maxN: number;
  readonly maxInputImages: number;
  /** Per output image; null where the provider's document publishes no price. */
  readonly priceUsd: number | null;
  /** Where the capability comes from a page outside shared/provider-docs. */
  readonly unverified?: boolean;
};

export type ProviderSpec = {
  readonly label: string;
  readonly description: string;
  /**
   * Env var holding the API key; null for the offline demo engine. The origin can be
   * overridden by the variable of the same prefix ending in _BASE_URL (see providerEnvVars).
   */
  readonly envKey: `${string}_API_KEY` | null;
  /** The provider's documented origin; null for the demo engine. */
  readonly baseUrl: string | null;
  /** async: submit returns an id to poll; sync: the answer carries the image. */
  readonly protocol: "async" | "sync";
  /** Jobs run against the provider at once, across every instance; `<ID>_CONCURRENCY` overrides it. */
  readonly concurrency: number;
  readonly models: readonly ModelSpec[];
};

const KONTEXT_RATIOS = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "9:21"] as const;
/** DMXAPI's documented list (spelled with "x" on the wire). */
const DMXAPI_RATIOS = ["1:1", "2:3", "3:2", "3:4", "4:3", "9:16", "16:9"] as const;
/** Modelverse's documented list. */
const MODELVERSE_RATIOS = ["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"] as const;
const DMXAPI_MODEL = { modes: ["generate"], aspectRatios: DMXAPI_RATIOS, seed: true, minN: 1, maxN: 4, maxInputImages: 0, priceUsd: null } as const;
const MODELVERSE_EDIT = {
  modes: ["edit"],
  aspectRatios: [MATCH_INPUT, ...MODELVERSE_RATIOS],
  seed: true,
  minN: 1,
  maxN: 1,
  maxInputImages: 1,
  priceUsd: null,
  unverified: true,
} as const;

export const CATALOG = {
  demo: {
    label: "Demo — offline, not AI",
    description:
      "A built-in engine that works without keys or network. It draws patterns and applies filters; it is not FLUX and not AI.",
    envKey: null,
    baseUrl: null,
    protocol: "async",
    concurrency: 4,
    models: [
      {
        id: "demo",
        label: "Demo engine (not AI)",
        modes: ["generate", "edit"],
        aspectRatios: [MATCH_INPUT, ...KONTEXT_RATIOS],
        seed: true,
        minN: 1,
        maxN: 4,
        maxInputImages: 1,
        priceUsd: 0,
      },
    ],
  },
  therouter: {
    label: "TheRouter",
    description: "FLUX.1 Kontext [dev] via TheRouter (async jobs, routed to SiliconFlow).",
    envKey: "THEROUTER_API_KEY",
    baseUrl: "https://api.therouter.ai",
    protocol: "async",
    concurrency: 4,
    models: [
      {
        id: "black-forest-labs/flux-kontext-dev",
        label: "FLUX.1 Kontext [dev]",
        modes: ["generate", "edit"],
        aspectRatios: [MATCH_INPUT, ...KONTEXT_RATIOS],
        seed: true,
        minN: 1,
        maxN: 1,
        maxInputImages: 1,
        priceUsd: 0.018,
      },
    ],
  },
  dmxapi: {
    label: "DMXAPI",
    description: "FLUX.1 Kontext max/pro/dev via DMXAPI (one synchronous call per image; text-to-image only).",
    envKey: "DMXAPI_API_KEY",
    baseUrl: "https://www.dmxapi.cn",
    protocol: "sync",
    concurrency: 2,
    models: [
      { id: "flux-kontext-pro", label: "FLUX.1 Kontext [pro]", ...DMXAPI_MODEL },
      { id: "flux-kontext-max", label: "FLUX.1 Kontext [max]", ...DMXAPI_MODEL },
      { id: "flux-kontext-dev", label: "FLUX.1 Kontext [dev]", ...DMXAPI_MODEL },
    ],
  },
  modelverse: {
    label: "Modelverse",
    description: "FLUX.1 Kontext via Modelverse's OpenAI-compatible API (synchronous).",
    envKey: "MODELVERSE_API_KEY",
    baseUrl: "https://api.modelverse.cn",
    protocol: "sync",
    concurrency: 2,
    models: [
      {
        id: "black-forest-labs/flux-kontext-max/text-to-image",
        label: "FLUX.1 Kontext [max] text-to-image",
        modes: ["generate"],
        aspectRatios: MODELVERSE_RATIOS,
        seed: true,
        minN: 1,
        maxN: 4,
        maxInputImages: 0,
        priceUsd: null,
      },
      { id: "black-forest-labs/flux-kontext-pro", label: "FLUX.1 Kontext [pro] edit (unverified)", ...MODELVERSE_EDIT },
      { id: "black-forest-labs/flux-kontext-max", label: "FLUX.1 Kontext [max] edit (unverified)", ...MODELVERSE_EDIT },
    ],
  },
  quickrouter: {
    label: "QuickRouter",
    description: "FLUX.1 Kontext [pro] through QuickRouter's Replicate-compatible predictions (async).",
    envKey: "QUICKROUTER_API_KEY",
    baseUrl: "https://api.quickrouter.ai",
    protocol: "async",
    concurrency: 4,
    models: [
      {
        id: "black-forest-labs/flux-kontext-pro",
        label: "FLUX.1 Kontext [pro]",
        modes: ["generate", "edit"],
        aspectRatios: [MATCH_INPUT, ...ASPECT_RATIOS],
        seed: true,
        minN: 1,
        maxN: 1,
        maxInputImages: 1,
        priceUsd: null,
      },
    ],
  },
} as const satisfies Record<string, ProviderSpec>;

export type ProviderId = keyof typeof CATALOG;
export const PROVIDER_IDS = Object.keys(CATALOG) as [ProviderId, ...ProviderId[]];
/** The providers that take a key (all but the demo engine). */
export type KeyedProviderId = { [K in ProviderId]: (typeof CATALOG)[K]["envKey"] extends null ? never : K }[ProviderId];

/** The env vars that configure a provider (THEROUTER_API_KEY, THEROUTER_BASE_URL); null for the demo. */
export function providerEnvVars(id: ProviderId): { key: string; baseUrl: string } | null {
  const { envKey } = providerSpec(id);
  return envKey === null ? null : { key: envKey, baseUrl: envKey.replace(/_API_KEY$/, "_BASE_URL") };
}

/** The env var that overrides a provider's concurrency: THEROUTER_CONCURRENCY, DEMO_CONCURRENCY, … */
export function concurrencyVar(id: ProviderId): string {
  return `${id.toUpperCase()}_CONCURRENCY`;
}

export function providerSpec(id: ProviderId): ProviderSpec {
  return CATALOG[id];
}

export function findModel(provider: ProviderId, modelId?: string): ModelSpec | undefined {
  const models: readonly ModelSpec[] = CATALOG[provider].models;
  return modelId === undefined ? models[0] : models.find((m) => m.id === modelId);
}
