import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { getBatch } from "@/lib/jobs";

export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return NextResponse.json({ batchId: id, jobs: await getBatch(id) });
});
