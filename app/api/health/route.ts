import { NextResponse } from "next/server";
import { checkHealth } from "@/lib/health";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** 200 when this instance can serve, 503 naming the part that is down. Open without sign-in (proxy.ts). */
export const GET = route(async () => {
  const health = await checkHealth();
  return NextResponse.json(health, { status: health.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
});
