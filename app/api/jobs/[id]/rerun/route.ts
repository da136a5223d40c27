import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { rerunJob } from "@/lib/library";

export const POST = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await rerunJob((await params).id, actorOf(request)), { status: 201 });
});
