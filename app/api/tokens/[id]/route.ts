import { deleteApiToken } from "@/lib/api-tokens";
import { route } from "@/lib/server/http";

export const DELETE = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await deleteApiToken((await params).id);
  return new Response(null, { status: 204 });
});
