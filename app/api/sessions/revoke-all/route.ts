import { NextResponse } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth";
import { route } from "@/lib/server/http";
import { revokeAllSessions } from "@/lib/sessions";

/** Sign out everywhere, this browser included. */
export const POST = route(async () => {
  await revokeAllSessions();
  const response = new NextResponse(null, { status: 204 });
  response.cookies.delete(SESSION_COOKIE);
  return response;
});
