import { NextResponse } from "next/server";
import { seeOther } from "@/lib/server/http";
import { checkCredentials, EMAIL_MAX_LENGTH } from "@/lib/accounts";
import { checkPassword, hashSecret, passwordRequired, sessionCookie, teamMode } from "@/lib/auth";
import { clearLoginFailures, loginBlockedFor, recordLoginFailure } from "@/lib/login-throttle";
import { PASSWORD_MAX_LENGTH } from "@/lib/passwords";
import { ANY_CONTROL_CHAR } from "@/lib/schemas";
import { startSession } from "@/lib/sessions";

/**
 * A plain form post, so signing in works before any JavaScript has loaded: `email` (team mode),
 * `password`, `next` → 303. An unknown email and a wrong password get the same answer after the
 * same work. Five failures in 10 minutes for one client, or for one email, make it wait.
 */
export async function POST(request: Request) {
  const form = await request.formData().catch(() => new FormData());
  const next = safeNext(String(form.get("next") ?? "/"));
  const back = (error: string) => seeOther(`/login?error=${error}&next=${encodeURIComponent(next)}`);
  const team = await teamMode();
  if (!team && !passwordRequired()) return seeOther(next);
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  // No form makes these: a script's bad input, refused before it costs a hash or a throttle row.
  if ((team && (email.length > EMAIL_MAX_LENGTH || ANY_CONTROL_CHAR.test(email))) || password.length > PASSWORD_MAX_LENGTH * 4) {
    return NextResponse.json({ error: { code: "invalid_request", message: "The email or password is not valid." } }, { status: 400 });
  }
  // Per email whether or not it has an account, so the throttle itself tells nothing either.
  const keys = [clientKey(request), ...(team ? [`email:${hashSecret(email.toLowerCase())}`] : [])];
  for (const key of keys) if ((await loginBlockedFor(key)) > 0) return back("throttled");
  const account = team ? await checkCredentials(email, password) : undefined;
  if (team ? !account : !checkPassword(password)) {
    for (const key of keys) await recordLoginFailure(key);
    return back("wrong");
  }
  for (const key of keys) await clearLoginFailures(key);
  const response = seeOther(next);
  response.cookies.set(sessionCookie(request, await startSession(request.headers.get("user-agent") ?? "", account?.id ?? null)));
  return response;
}


/**
 * Only paths on this site: an open redirect would let a link send a signed-in user anywhere.
 * Resolved against a dummy origin, as a browser would (it drops tabs and newlines first).
 */
function safeNext(next: string): string {
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  try {
    const url = new URL(next, "http://atelier.invalid");
    return url.origin === "http://atelier.invalid" && next.startsWith("/") ? url.pathname + url.search : "/";
  } catch {
    return "/";
  }
}

/**
 * Whom to throttle. X-Forwarded-For is the client's own claim unless a trusted proxy sets
 * it (ATELIER_TRUST_PROXY=1); otherwise every client shares one budget of wrong guesses.
 */
function clientKey(request: Request): string {
  if (process.env.ATELIER_TRUST_PROXY !== "1") return "any";
  return request.headers.get("x-forwarded-for")?.split(",").pop()?.trim() || "any";
}
