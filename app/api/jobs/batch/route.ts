import { NextResponse } from "next/server";
import { readJson, route } from "@/lib/server/http";
import { createBatch } from "@/lib/jobs";

export const POST = route(async (request: Request) => NextResponse.json(await createBatch(await readJson(request)), { status: 201 }));
