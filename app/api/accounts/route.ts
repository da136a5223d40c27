import { NextResponse } from "next/server";
import { actorOf, requireAdmin } from "@/lib/actor";
import { readJson, route } from "@/lib/server/http";
import { addMember, listTeam } from "@/lib/team";

export const GET = route(async (request: Request) => NextResponse.json(await listTeam(actorOf(request))));

/** `{email, role}` → 201 with the invite link, shown this once. */
export const POST = route(async (request: Request) => {
  const actor = actorOf(request);
  requireAdmin(actor); // before reading the body: a member is refused whatever they send
  return NextResponse.json(await addMember(actor, await readJson(request)), { status: 201 });
});
