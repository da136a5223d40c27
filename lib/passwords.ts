import "server-only";
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { COMMON_PASSWORDS, WEAK_WORDS } from "./common-passwords";
import { ANY_CONTROL_CHAR } from "./schemas";

/**
 * Account passwords: scrypt with a per-account salt, stored as `scrypt$N$r$p$salt$hash`
 * (base64url), so the cost can rise later without breaking stored hashes.
 */

export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing a huge body costs nothing extra. */
export const PASSWORD_MAX_LENGTH = 200;

// N=2^14, r=8: about 16 MB and 40 ms here, which bounds offline guessing from a stolen database.
const COST = { N: 1 << 14, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_BYTES, { ...cost, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Constant-time compare of a guess with a stored hash; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split("$");
  if (kind !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p) });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Compared against when the email is unknown (or has no password yet), so that answer takes as
 * long as a wrong password: timing does not tell which emails have accounts.
 */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString("hex")));

/** The rule for a new password, shared by the invite form's hints and the API. */
export const newPasswordSchema = z
  .string({ error: "Choose a password" })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Keep it under ${PASSWORD_MAX_LENGTH} characters`)
  .refine((s) => !ANY_CONTROL_CHAR.test(s), "The password contains control characters")
  .refine((s) => !isCommon(s), "That password is among the most common ones: choose another");

/**
 * On the list, a weak word padded with digits and symbols ("Password2024!"), one or two characters
 * repeated, or a plain run such as 123456789012 or abcdefghijkl.
 */
export function isCommon(password: string): boolean {
  const folded = password.toLowerCase();
  if (COMMON_PASSWORDS.has(folded)) return true;
  const letters = folded.replace(/[^a-z]/g, "").replace(/^(.+?)\1+$/, "$1");
  if (WEAK_WORDS.has(letters)) return true;
  if (new Set(folded).size <= 2) return true;
  const steps = new Set<number>();
  for (let i = 1; i < folded.length; i++) steps.add(folded.charCodeAt(i) - folded.charCodeAt(i - 1));
  return steps.size === 1 && [1, -1].includes([...steps][0]!);
}
