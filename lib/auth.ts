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
