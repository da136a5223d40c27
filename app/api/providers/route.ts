import { NextResponse } from "next/server";
import { route } from "@/lib/http";
import { listProviders } from "@/lib/providers/registry";
import { withUsualTimes } from "@/lib/usual-time";

export const dynamic = "force-dynamic";

export const GET = route(async () => NextResponse.json(await withUsualTimes(listProviders())));
