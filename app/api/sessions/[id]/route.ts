import { route } from "@/lib/server/http";
import { revokeSession } from "@/lib/sessions";

export const DELETE = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await revokeSession((await params).id);
  return new Response(null, { status: 204 });
});
