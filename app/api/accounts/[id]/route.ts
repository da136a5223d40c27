import { NextResponse } from "next/server";
import { actorOf, requireAdmin } from "@/lib/actor";
import { readJson, route } from "@/lib/server/http";
import { removeMember, updateMember } from "@/lib/team";

type Context = { params: Promise<{ id: string }> };

/** `{role?, budgetUsd?}`: budgetUsd null goes back to ATELIER_BUDGET_USD_PER_USER. */
export const PATCH = route(async (request: Request, { params }: Context) => {
  const actor = actorOf(request);
  requireAdmin(actor); // before reading the body: a member is refused whatever they send
  return NextResponse.json(await updateMember(actor, (await params).id, await readJson(request)));
});

export const DELETE = route(async (request: Request, { params }: Context) => {
  await removeMember(actorOf(request), (await params).id);
  return new Response(null, { status: 204 });
});
