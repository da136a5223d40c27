import "server-only";
import { CATALOG, PROVIDER_IDS, type ProviderId } from "./catalog";
import type { ProviderDto } from "./dto";
import { env } from "./env";

export function isConfigured(id: ProviderId): boolean {
  return CATALOG[id].envKey === null || Boolean(env().providers[id]?.apiKey);
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
