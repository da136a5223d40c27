import { NextResponse } from "next/server";
import { createApiToken, listApiTokens } from "@/lib/api-tokens";
import { readJson, route } from "@/lib/server/http";

export const GET = route(async () => NextResponse.json(await listApiTokens()));

export const POST = route(async (request: Request) => {
  return NextResponse.json(await createApiToken(await readJson(request)), { status: 201 });
});
