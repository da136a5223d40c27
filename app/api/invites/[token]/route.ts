import { seeOther } from "@/lib/server/http";
import { acceptInvite, findInvite } from "@/lib/accounts";
import { sessionCookie } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { newPasswordSchema } from "@/lib/passwords";
import { startSession } from "@/lib/sessions";

/**
 * The invite form's plain post: `password` and `confirm` → 303. Set: signed in, on to the studio.
 * A weak or mismatched password: back to the form (the invite still works). A used, expired or
 * made-up token: back to the invite page, which says so; nothing changes.
 */
export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const page = `/invite/${encodeURIComponent(token)}`;
  if (!(await findInvite(token))) return seeOther(page);
  const form = await request.formData().catch(() => new FormData());
  const password = form.get("password");
  if (!newPasswordSchema.safeParse(password).success) return seeOther(`${page}?error=weak`);
  if (form.get("confirm") !== password) return seeOther(`${page}?error=mismatch`);
  let accountId: string;
  try {
    accountId = await acceptInvite(token, password);
  } catch (error) {
    // Used up by another tab a moment ago, or expired meanwhile.
    if (error instanceof AppError && error.code === "invite_invalid") return seeOther(page);
    throw error;
  }
  const response = seeOther("/");
  response.cookies.set(sessionCookie(request, await startSession(request.headers.get("user-agent") ?? "", accountId)));
  return response;
}

