import "server-only";
import { CATALOG, PROVIDER_IDS, type ProviderId } from "../catalog";
import type { ProviderDto } from "../dto";
import { env } from "../env";
import { demoAdapter } from "./demo";
import { createDmxapiAdapter } from "./dmxapi";
import { createModelverseAdapter } from "./modelverse";
import { createQuickRouterAdapter } from "./quickrouter";
import { createTheRouterAdapter } from "./therouter";
import type { ProviderAdapter, ProviderConfig } from "./types";

// Read lazily: the env is validated on first use, and tests may set it before that.
const configOf = (key: string | undefined, baseUrl: string): ProviderConfig => ({ apiKey: key, baseUrl });

const ADAPTERS: Record<ProviderId, ProviderAdapter> = {
  demo: demoAdapter,
  therouter: createTheRouterAdapter(() => configOf(env().THEROUTER_API_KEY, env().THEROUTER_BASE_URL)),
  dmxapi: createDmxapiAdapter(() => configOf(env().DMXAPI_API_KEY, env().DMXAPI_BASE_URL)),
  modelverse: createModelverseAdapter(() => configOf(env().MODELVERSE_API_KEY, env().MODELVERSE_BASE_URL)),
  quickrouter: createQuickRouterAdapter(() => configOf(env().QUICKROUTER_API_KEY, env().QUICKROUTER_BASE_URL)),
};

export function adapterFor(id: ProviderId): ProviderAdapter {
  return ADAPTERS[id];
}

export function isConfigured(id: ProviderId): boolean {
  const { envKey } = CATALOG[id];
  return envKey === null || Boolean((env() as Record<string, unknown>)[envKey]);
}

/** What the UI may know about providers: capabilities and whether a key is set, never the key. */
export function listProviders(): ProviderDto[] {
  return PROVIDER_IDS.map((id) => {
    const spec = CATALOG[id];
    return {
      id,
      label: spec.label,
      description: spec.description,
      configured: isConfigured(id),
      envKey: spec.envKey,
      models: spec.models.map((m) => ({ ...m, unverified: "unverified" in m ? Boolean(m.unverified) : false })),
    };
  });
}
