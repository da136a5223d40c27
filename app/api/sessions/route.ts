import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { route } from "@/lib/server/http";
import { listSessions } from "@/lib/sessions";

export const GET = route(async (request: Request) => NextResponse.json(await listSessions(request, actorOf(request))));
