import { NextResponse } from "next/server";
import { route } from "@/lib/server/http";
import { listProviders } from "@/lib/provider-info";
import { withUsualTimes } from "@/lib/usual-time";

export const dynamic = "force-dynamic";

export const GET = route(async () => NextResponse.json(await withUsualTimes(listProviders())));
