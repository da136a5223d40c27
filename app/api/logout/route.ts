import { NextResponse } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth";
import { endSession } from "@/lib/sessions";

export async function POST(request: Request) {
  // Ended on the server: the same cookie, replayed later, is refused.
  await endSession(request);
  // Relative: the browser stays on the host it used.
  const response = new NextResponse(null, { status: 303, headers: { Location: "/login" } });
  response.cookies.delete(SESSION_COOKIE);
  return response;
}
