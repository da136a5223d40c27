import "server-only";
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
let lastTime = -1;
let lastRandom: number[] = [];

/**
 * Monotonic ULID: 48-bit millisecond time + 80 random bits, Crockford base32.
 * Sorting ids sorts by creation time, so the gallery pages by primary key alone.
 * Within one millisecond the random part is incremented, keeping order strict.
 */
export function newId(now: number = Date.now()): string {
  let random: number[];
  if (now <= lastTime) {
    random = increment(lastRandom);
    now = lastTime;
  } else {
    random = Array.from(randomBytes(16), (b) => b & 31);
  }
  lastTime = now;
  lastRandom = random;
  return encodeTime(now) + random.map((d) => ALPHABET[d]).join("");
}

/** The smallest id made at `ms`: every id made at or after it sorts at or above it. */
export function idFloor(ms: number): string {
  return encodeTime(Math.max(0, ms)) + "0".repeat(16);
}

function encodeTime(ms: number): string {
  let time = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

function increment(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return next;
}
