import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { getLineage } from "@/lib/library";

export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await getLineage((await params).id));
});
