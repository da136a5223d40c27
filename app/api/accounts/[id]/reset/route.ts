import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { resetMember } from "@/lib/team";

export const POST = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await resetMember(actorOf(request), (await params).id), { status: 201 });
});
