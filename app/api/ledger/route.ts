import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { getLedger } from "@/lib/ledger";

export const GET = route(async (request: Request) => {
  return NextResponse.json(await getLedger(Object.fromEntries(new URL(request.url).searchParams), actorOf(request)));
});
