import "server-only";
import { CATALOG, PROVIDER_IDS, type ProviderId } from "../catalog";
import type { ProviderDto } from "../dto";
import { demoAdapter } from "./demo";
import type { ProviderAdapter } from "./types";

const ADAPTERS: Record<ProviderId, ProviderAdapter> = {
  demo: demoAdapter,
};

export function adapterFor(id: ProviderId): ProviderAdapter {
  return ADAPTERS[id];
}

export function isConfigured(id: ProviderId): boolean {
  const { envKey } = CATALOG[id];
  return envKey === null || Boolean(process.env[envKey]);
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
