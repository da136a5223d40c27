import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { retrySaving } from "@/lib/library";

export const POST = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await retrySaving((await params).id));
});
