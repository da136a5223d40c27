import type { KeyedProviderId } from "../../lib/catalog";
import { fakeProvidersEnv } from "./provider-env";
import {
  type DmxapiFake,
  fakeDmxapi,
  fakeModelverse,
  fakeQuickRouter,
  fakeTheRouter,
  type ModelverseFake,
  type QuickRouterFake,
  type TheRouterFake,
} from "./provider-fakes";

/**
 * Starts the fakes of the given providers at once and hands back the server env that points
 * Atelier at them (each provider's key and base URL, under the catalog's variable names).
 * Every fake takes a key: without one it would accept any, and a key leaking would go unseen.
 */

type Starters = {
  therouter: (opts: { key: string; pollsUntilDone?: number }) => Promise<TheRouterFake>;
  quickrouter: (opts: { key: string; pollsUntilDone?: number }) => Promise<QuickRouterFake>;
  dmxapi: (opts: { key: string }) => Promise<DmxapiFake>;
  modelverse: (opts: { key: string }) => Promise<ModelverseFake>;
};

// Typed against the catalog: a new keyed provider does not compile until it has a fake here.
const STARTERS = { therouter: fakeTheRouter, quickrouter: fakeQuickRouter, dmxapi: fakeDmxapi, modelverse: fakeModelverse } satisfies Starters &
  Record<KeyedProviderId, unknown>;

export type FleetOptions = { [K in KeyedProviderId]?: Parameters<Starters[K]>[0] };

export type Fleet<O extends FleetOptions = FleetOptions> = {
  /** The fakes started, by provider id (each one optional in a plain `Fleet`). */
  fakes: { [K in keyof O]: K extends KeyedProviderId ? Awaited<ReturnType<Starters[K]>> : never };
  /** THEROUTER_API_KEY, THEROUTER_BASE_URL, … for the fakes started. */
  env: Record<string, string>;
  close(): Promise<void>;
};

export async function startFleet<O extends FleetOptions>(options: O): Promise<Fleet<O>> {
  const ids = (Object.keys(options) as KeyedProviderId[]).filter((id) => options[id]);
  const started = await Promise.allSettled(ids.map((id) => (STARTERS[id] as (opts: unknown) => Promise<{ url: string; close(): Promise<void> }>)(options[id])));
  const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const close = async () => void (await Promise.all(running.map((fake) => fake.close())));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await close();
    throw failed.reason;
  }
  const fakes = Object.fromEntries(ids.map((id, i) => [id, running[i]!]));
  const keys = Object.fromEntries(ids.map((id) => [id, options[id]!.key]));
  const urls = Object.fromEntries(ids.map((id) => [id, fakes[id]!.url]));
  return { fakes: fakes as Fleet<O>["fakes"], env: fakeProvidersEnv(keys, urls), close };
}
