import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { requireJob } from "@/lib/jobs";

export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await requireJob((await params).id));
});
