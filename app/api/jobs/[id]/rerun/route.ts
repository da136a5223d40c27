import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { rerunJob } from "@/lib/library";

export const POST = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await rerunJob((await params).id), { status: 201 });
});
