import { NextResponse } from "next/server";
import {
  checkPassword,
  clearLoginFailures,
  createSessionToken,
  loginBlockedFor,
  passwordRequired,
  recordLoginFailure,
  SESSION_COOKIE,
  SESSION_MAX_AGE_S,
} from "@/lib/auth";

/** A plain form post, so signing in works before any JavaScript has loaded. */
export async function POST(request: Request) {
  const form = await request.formData().catch(() => new FormData());
  const next = safeNext(String(form.get("next") ?? "/"));
  const back = (error: string) => NextResponse.redirect(new URL(`/login?error=${error}&next=${encodeURIComponent(next)}`, request.url), 303);
  if (!passwordRequired()) return NextResponse.redirect(new URL(next, request.url), 303);
  const client = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "local";
  if (loginBlockedFor(client) > 0) return back("throttled");
  if (!checkPassword(String(form.get("password") ?? ""))) {
    recordLoginFailure(client);
    return back("wrong");
  }
  clearLoginFailures(client);
  const response = NextResponse.redirect(new URL(next, request.url), 303);
  response.cookies.set(SESSION_COOKIE, createSessionToken(), {
    httpOnly: true,
    sameSite: "lax",
    secure: new URL(request.url).protocol === "https:",
    path: "/",
    maxAge: SESSION_MAX_AGE_S,
  });
  return response;
}

/** Only same-site paths: an open redirect would let a link send a signed-in user anywhere. */
function safeNext(next: string): string {
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}
