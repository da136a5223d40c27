import "server-only";
import { PROVIDER_IDS, type ProviderId } from "../catalog";
import { env } from "../env";
import type { ProviderAdapter, ProviderConfig } from "./types";

/** What every adapter file exports; the file is lib/providers/<catalog id>.ts. */
export type AdapterModule = { createAdapter(config: () => ProviderConfig): ProviderAdapter };

// Settings are read per call: the env is validated on first use, and tests may set it before that.
const configOf = (id: ProviderId) => (): ProviderConfig => env().providers[id] ?? { apiKey: undefined, baseUrl: "" };

async function load(id: ProviderId): Promise<ProviderAdapter> {
  // Found by the catalog id (the bundler includes every file of this folder), so a new provider
  // is its catalog entry plus its adapter file, with no list to extend here. An import, not a
  // require: adapters that use a native package (sharp) are async modules once bundled.
  const adapterModule = (await import(`./${id}`)) as AdapterModule;
  const adapter = adapterModule.createAdapter(configOf(id));
  if (adapter.id !== id) throw new Error(`lib/providers/${id}.ts made the adapter for "${adapter.id}"`);
  return adapter;
}

/**
 * Every provider's adapter, loaded once at startup, so a catalog entry without its adapter
 * file fails at once rather than at its first job.
 */
export async function loadAdapters(): Promise<(id: ProviderId) => ProviderAdapter> {
  const adapters = Object.fromEntries(await Promise.all(PROVIDER_IDS.map(async (id) => [id, await load(id)] as const)));
  return (id) => adapters[id]!;
}
