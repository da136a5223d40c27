import { NextResponse } from "next/server";
import { notFound } from "@/lib/errors";
import { readJson, route } from "@/lib/server/http";
import { updateImageMeta } from "@/lib/library";
import { readImage } from "@/lib/images";

export const GET = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const variant = new URL(request.url).searchParams.get("variant");
  if (variant !== null && variant !== "thumb") throw notFound("No such image variant.");
  const image = await readImage((await params).id, variant === "thumb" ? "thumb" : "full");
  if (!image) throw notFound("No such image.");
  const headers = {
    // Images never change once stored (content-addressed), so browsers may keep them forever.
    "Cache-Control": "public, max-age=31536000, immutable",
    ETag: image.etag,
    "X-Content-Type-Options": "nosniff",
  };
  if (request.headers.get("if-none-match") === image.etag) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(image.bytes), {
    headers: { ...headers, "Content-Type": image.mime, "Content-Length": String(image.bytes.length) },
  });
});

/** Favourite and note: `{favorite?: boolean, note?: string | null}`. */
export const PATCH = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  return NextResponse.json(await updateImageMeta((await params).id, await readJson(request)));
});
