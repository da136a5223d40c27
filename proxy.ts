import { NextResponse, type NextRequest } from "next/server";
import { isValidSession, passwordRequired, SESSION_COOKIE } from "@/lib/auth";

/**
 * The network boundary: refuses cross-site writes, and when ATELIER_PASSWORD is set, lets
 * nobody past without a session cookie (pages go to /login, the API answers 401).
 */
// Health is for load balancers and monitors, which hold no session; it reveals no data or secret.
const PUBLIC_PATHS = ["/login", "/api/login", "/api/health"];
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

const deny = (status: number, code: string, message: string) =>
  NextResponse.json({ error: { code, message } }, { status });

export function proxy(request: NextRequest) {
  if (!SAFE_METHODS.includes(request.method) && isCrossSite(request)) {
    return deny(403, "forbidden", "Cross-site requests are not allowed.");
  }
  const { pathname, search } = request.nextUrl;
  if (!passwordRequired() || PUBLIC_PATHS.includes(pathname)) return NextResponse.next();
  if (isValidSession(request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();
  if (pathname.startsWith("/api/")) return deny(401, "unauthorized", "Sign in first.");
  const login = new URL("/login", request.url);
  login.searchParams.set("next", pathname + search);
  return NextResponse.redirect(login, 303);
}

/** A browser names the page that sent a write; it must be this very origin. */
function isCrossSite(request: NextRequest): boolean {
  if (request.headers.get("sec-fetch-site") === "cross-site") return true;
  const origin = request.headers.get("origin");
  if (!origin) return false; // not a browser form or fetch (curl, scripts): nothing to forge
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export const config = {
  // Static build assets need no checks; everything else, pages and API alike, passes here.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
