import { NextResponse } from "next/server";
import { createApiToken, listApiTokens } from "@/lib/api-tokens";
import { actorOf } from "@/lib/actor";
import { readJson, route } from "@/lib/server/http";

export const GET = route(async (request: Request) => NextResponse.json(await listApiTokens(actorOf(request))));

export const POST = route(async (request: Request) => {
  return NextResponse.json(await createApiToken(await readJson(request), actorOf(request)), { status: 201 });
});
