import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Optional single-password access (ATELIER_PASSWORD). The session cookie is an expiry
 * signed with a key derived from the password, so changing the password signs everyone out
 * and nothing needs storing. Read from process.env directly: the proxy runs before lib/env.
 */

export const SESSION_COOKIE = "atelier_session";
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

export function passwordRequired(): boolean {
  return Boolean(process.env.ATELIER_PASSWORD);
}

function signingKey(): Buffer {
  return createHash("sha256").update(`atelier-session\0${process.env.ATELIER_PASSWORD ?? ""}`).digest();
}

const sign = (payload: string) => createHmac("sha256", signingKey()).update(payload).digest("base64url");

export function createSessionToken(now = Date.now()): string {
  const payload = `v1.${now + SESSION_MAX_AGE_S * 1000}`;
  return `${payload}.${sign(payload)}`;
}

export function isValidSession(token: string | undefined, now = Date.now()): boolean {
  if (!token) return false;
  const match = /^(v1\.(\d{1,16}))\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match || Number(match[2]) < now) return false;
  return safeEqual(match[3]!, sign(match[1]!));
}

/** Constant-time: the time taken does not tell how much of a guess was right. */
export function checkPassword(guess: string): boolean {
  return safeEqual(guess, process.env.ATELIER_PASSWORD ?? "");
}

function safeEqual(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so timingSafeEqual never throws or leaks the length.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b)) && b.length > 0;
}

/** Failed logins per client address; after 5 in 10 minutes, further tries wait. */
const failures = new Map<string, number[]>();
const WINDOW_MS = 10 * 60_000;
const MAX_FAILURES = 5;

export function loginBlockedFor(client: string, now = Date.now()): number {
  const recent = (failures.get(client) ?? []).filter((t) => now - t < WINDOW_MS);
  failures.set(client, recent);
  return recent.length >= MAX_FAILURES ? WINDOW_MS - (now - recent[0]!) : 0;
}

export function recordLoginFailure(client: string, now = Date.now()): void {
  failures.set(client, [...(failures.get(client) ?? []), now]);
  // Bound memory: an attacker cycling addresses must not grow this forever.
  if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
}

export function clearLoginFailures(client: string): void {
  failures.delete(client);
}
