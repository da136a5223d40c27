import { deleteApiToken } from "@/lib/api-tokens";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";

export const DELETE = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await deleteApiToken((await params).id, actorOf(request));
  return new Response(null, { status: 204 });
});
