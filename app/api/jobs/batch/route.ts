import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { readJson, route } from "@/lib/server/http";
import { createBatch } from "@/lib/jobs";

export const POST = route(async (request: Request) => NextResponse.json(await createBatch(await readJson(request), actorOf(request)), { status: 201 }));
