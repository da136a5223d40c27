import { NextResponse } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { revokeAllSessions } from "@/lib/sessions";

/** Sign out everywhere, this browser included. */
export const POST = route(async (request: Request) => {
  await revokeAllSessions(actorOf(request));
  const response = new NextResponse(null, { status: 204 });
  response.cookies.delete(SESSION_COOKIE);
  return response;
});
