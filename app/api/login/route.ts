import { NextResponse } from "next/server";
import { checkPassword, passwordRequired, sessionCookie } from "@/lib/auth";
import { clearLoginFailures, loginBlockedFor, recordLoginFailure } from "@/lib/login-throttle";
import { startSession } from "@/lib/sessions";

/** A plain form post, so signing in works before any JavaScript has loaded. */
export async function POST(request: Request) {
  const form = await request.formData().catch(() => new FormData());
  const next = safeNext(String(form.get("next") ?? "/"));
  const back = (error: string) => seeOther(`/login?error=${error}&next=${encodeURIComponent(next)}`);
  if (!passwordRequired()) return seeOther(next);
  const client = clientKey(request);
  if ((await loginBlockedFor(client)) > 0) return back("throttled");
  if (!checkPassword(String(form.get("password") ?? ""))) {
    await recordLoginFailure(client);
    return back("wrong");
  }
  await clearLoginFailures(client);
  const response = seeOther(next);
  response.cookies.set(sessionCookie(request, await startSession(request.headers.get("user-agent") ?? "")));
  return response;
}

/**
 * Relative, so the browser stays on the host it used (the server only knows its own name
 * for itself, e.g. localhost, and the cookie belongs to the browser's host).
 */
function seeOther(location: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: location } });
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
