import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { readJson, route } from "@/lib/server/http";
import { createJob, listJobs } from "@/lib/jobs";

export const GET = route(async (request: Request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return NextResponse.json(await listJobs(params, actorOf(request)));
});

export const POST = route(async (request: Request) => {
  return NextResponse.json(await createJob(await readJson(request), actorOf(request)), { status: 201 });
});
