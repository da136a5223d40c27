import "server-only";
import { db } from "./db";
import type { Creator } from "./dto";

/**
 * Who made what, by account id: the emails a page of jobs names. A team is a few dozen
 * accounts, so every one is read at once and kept for a few seconds: a gallery page costs
 * no query at all, and never one per job. An account made on another instance shows up on
 * its first miss; a removal there, within PEOPLE_CACHE_MS (one here, at once: forgetPeople).
 */
const PEOPLE_CACHE_MS = 5000;
/** A miss re-reads at most this often, so ids that name no account cannot make every page query. */
const MISS_RELOAD_MS = 500;

type People = { byId: Map<string, Creator>; loadedAt: number };
const cache = globalThis as unknown as { atelierPeople?: People };

async function load(now: number): Promise<People> {
  const rows = await db().account.findMany({ select: { id: true, email: true, removedAt: true } });
  const people = { byId: new Map(rows.map((row) => [row.id, { id: row.id, email: row.email, removed: row.removedAt !== null }])), loadedAt: now };
  cache.atelierPeople = people;
  return people;
}

/** The accounts these ids name; an id that names none (or null) is left out. */
export async function peopleById(ids: (string | null)[], now = Date.now()): Promise<Map<string, Creator>> {
  const wanted = ids.filter((id): id is string => id !== null);
  let people = cache.atelierPeople;
  if (wanted.length === 0) return people?.byId ?? new Map();
  const age = people ? now - people.loadedAt : Infinity;
  if (age >= PEOPLE_CACHE_MS || (age >= MISS_RELOAD_MS && wanted.some((id) => !people!.byId.has(id)))) people = await load(now);
  return people!.byId;
}

/** After adding or removing an account here, so this process names it right at once. */
export const forgetPeople = () => void (cache.atelierPeople = undefined);
