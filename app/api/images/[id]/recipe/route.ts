import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { copyableRecipe } from "@/lib/export";

export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await copyableRecipe((await params).id));
});
