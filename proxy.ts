import { NextResponse, type NextRequest } from "next/server";
import { ACTOR_HEADER, type Actor, encodeActor, OPEN_ACTOR } from "@/lib/actor";
import { authenticate, type Caller, passwordRequired, sessionCookie, sessionSecret, teamMode } from "@/lib/auth";

/**
 * The network boundary: refuses cross-site writes, and when ATELIER_PASSWORD is set or accounts
 * exist, lets nobody past without a live session or API token (pages go to /login, the API
 * answers 401). Who it let in travels on as the actor header (lib/actor.ts), always set here.
 * Next 16 runs the proxy on the Node.js runtime in the server's own process, so this is where
 * the one authoritative check reads the database: every page, route, server action and event
 * stream passes here, and a revoked session is refused on its very next request.
 */
// Health is for load balancers and monitors, which hold no session; it reveals no data or secret.
// Logout only ends the session it is shown, so a browser whose session is gone may still post it.
// An invite link is how a person without a password yet gets one.
const PUBLIC_PATHS = ["/login", "/api/login", "/api/logout", "/api/health"];
const PUBLIC_PREFIXES = ["/invite/", "/api/invites/"];
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

const deny = (status: number, code: string, message: string) =>
  NextResponse.json({ error: { code, message } }, { status });

export async function proxy(request: NextRequest) {
  if (!SAFE_METHODS.includes(request.method) && isCrossSite(request)) {
    return deny(403, "forbidden", "Cross-site requests are not allowed.");
  }
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PATHS.includes(pathname) || PUBLIC_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return pass(request, null);
  let caller: Caller | null;
  try {
    const team = await teamMode();
    if (!team && !passwordRequired()) return pass(request, OPEN_ACTOR);
    caller = await authenticate(request, team);
  } catch (error) {
    console.error("[proxy] could not check the session:", error instanceof Error ? error.message : error);
    return deny(503, "unavailable", "The server cannot check your session right now. Try again shortly.");
  }
  if (caller) {
    const response = pass(request, actorOf(caller));
    // An active browser stays signed in: its cookie lives as long as the idle limit from now.
    if (caller.kind === "session" && caller.touched) response.cookies.set(sessionCookie(request, sessionSecret(request)!));
    return response;
  }
  if (pathname.startsWith("/api/")) return deny(401, "unauthorized", "Sign in first.");
  const login = new URL("/login", request.url);
  login.searchParams.set("next", pathname + search);
  return NextResponse.redirect(login, 303);
}

/** On to the page or route, with who is asking (none on public paths) in a header no client can set. */
function pass(request: NextRequest, actor: Actor | null): NextResponse {
  const headers = new Headers(request.headers);
  if (actor) headers.set(ACTOR_HEADER, encodeActor(actor));
  else headers.delete(ACTOR_HEADER);
  return NextResponse.next({ request: { headers } });
}

/** Without accounts everyone signed in is the one shared identity, an admin. */
function actorOf(caller: Caller): Actor {
  return {
    accountId: caller.account?.id ?? null,
    email: caller.account?.email ?? null,
    role: caller.account?.role === "member" ? "member" : "admin",
    sessionId: caller.kind === "session" ? caller.sessionId : null,
    tokenId: caller.kind === "token" ? caller.tokenId : null,
  };
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
