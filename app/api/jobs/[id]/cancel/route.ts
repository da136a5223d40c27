import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { cancelJob } from "@/lib/jobs";

export const POST = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await cancelJob((await params).id));
});
