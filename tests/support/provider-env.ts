import { PROVIDER_IDS, providerEnvVars, type KeyedProviderId } from "../../lib/catalog";

type Providers<T> = Partial<Record<KeyedProviderId, T>>;

/**
 * The server env that points each given provider at its fake (one URL for all, or one each),
 * with its key, under the variable names the catalog gives.
 */
export function fakeProvidersEnv(keys: Providers<string>, urls: Providers<string> | string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const id of PROVIDER_IDS) {
    const vars = providerEnvVars(id);
    const key = keys[id as KeyedProviderId];
    if (!vars || key === undefined) continue;
    const url = typeof urls === "string" ? urls : urls[id as KeyedProviderId];
    // A key without its fake's URL would send it to the real provider.
    if (url === undefined) throw new Error(`fakeProvidersEnv: a key for ${id} but no URL`);
    env[vars.key] = key;
    env[vars.baseUrl] = url;
  }
  return env;
}
