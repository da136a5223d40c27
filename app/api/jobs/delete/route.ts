import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { readJson, route } from "@/lib/server/http";
import { deleteJobs } from "@/lib/library";

export const POST = route(async (request: Request) => NextResponse.json(await deleteJobs(await readJson(request), actorOf(request))));
