import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { cancelJob } from "@/lib/jobs";

export const POST = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await cancelJob((await params).id, actorOf(request)));
});
