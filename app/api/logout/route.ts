import { seeOther } from "@/lib/server/http";
import { SESSION_COOKIE } from "@/lib/auth";
import { endSession } from "@/lib/sessions";

export async function POST(request: Request) {
  // Ended on the server: the same cookie, replayed later, is refused.
  await endSession(request);
  const response = seeOther("/login");
  response.cookies.delete(SESSION_COOKIE);
  return response;
}
