import "server-only";
import type { ProviderId } from "./catalog";
import { db, type Db } from "./db";
import type { ProviderDto } from "./dto";

/**
 * How long a provider's model usually takes, so a job running well past it can say "slower
 * than usual" instead of an endless "working on it". Learned from history: the 90th percentile
 * of the latest succeeded jobs' running times per provider and model, once there are enough.
 */

/** Succeeded jobs read per refresh: one query on the (status, id) index, newest first. */
const SCAN = 1000;
/** The latest jobs per provider and model that count. */
const SAMPLE = 50;
/** Fewer than this and history says too little: the typical time below stands in. */
export const MIN_SAMPLE = 5;
const TTL_MS = 60_000;

/**
 * A first guess per provider until history exists: the demo's set delay plus rendering, and
 * for the real providers the order of time FLUX.1 Kontext takes behind an API.
 */
function typicalMs(provider: ProviderId): number {
  if (provider === "demo") {
    const delay = Number(process.env.DEMO_DELAY_MS ?? 3000);
    return (Number.isFinite(delay) && delay > 0 ? delay : 0) + 1000;
  }
  return provider === "dmxapi" ? 40_000 : 30_000;
}

export type UsualTime = { ms: number; from: "history" | "catalog" };

const key = (provider: string, model: string) => `${provider}\u0000${model}`;

/** The 90th percentile (nearest rank) of each provider+model's latest running times, where enough exist. */
export async function historyP90(client: Db = db()): Promise<Map<string, number>> {
  const rows = await client.job.findMany({
    where: { status: "succeeded" },
    orderBy: { id: "desc" },
    take: SCAN,
    select: { provider: true, model: true, startedAt: true, finishedAt: true },
  });
  const samples = new Map<string, number[]>();
  for (const row of rows) {
    if (!row.startedAt || !row.finishedAt) continue;
    const list = samples.get(key(row.provider, row.model)) ?? [];
    if (list.length < SAMPLE) list.push(Math.max(0, row.finishedAt.getTime() - row.startedAt.getTime()));
    samples.set(key(row.provider, row.model), list);
  }
  const p90 = new Map<string, number>();
  for (const [k, list] of samples) {
    if (list.length < MIN_SAMPLE) continue;
    list.sort((a, b) => a - b);
    p90.set(k, list[Math.ceil(list.length * 0.9) - 1]!);
  }
  return p90;
}

let cached: { at: number; value: Promise<Map<string, number>> } | undefined;

/** historyP90, computed at most once a minute: every job page and /api/providers read it. */
function cachedP90(): Promise<Map<string, number>> {
  const now = Date.now();
  if (!cached || now - cached.at > TTL_MS) {
    const value = historyP90().catch((error) => {
      cached = undefined;
      throw error;
    });
    cached = { at: now, value };
  }
  return cached.value;
}

export function usualTime(p90: Map<string, number>, provider: ProviderId, model: string): UsualTime {
  const learned = p90.get(key(provider, model));
  return learned === undefined ? { ms: typicalMs(provider), from: "catalog" } : { ms: learned, from: "history" };
}

/** The providers with each model's usual time filled in. */
export async function withUsualTimes(providers: ProviderDto[]): Promise<ProviderDto[]> {
  const p90 = await cachedP90();
  return providers.map((p) => ({ ...p, models: p.models.map((m) => ({ ...m, usual: usualTime(p90, p.id, m.id) })) }));
}

