import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { revokeSession } from "@/lib/sessions";

export const DELETE = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await revokeSession((await params).id, actorOf(request));
  return new Response(null, { status: 204 });
});
