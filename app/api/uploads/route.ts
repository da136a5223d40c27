import { NextResponse } from "next/server";
import { actorOf } from "@/lib/actor";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/server/http";
import { ingestImage, MAX_IMAGE_BYTES, toUploadDto } from "@/lib/images";

// Multipart framing adds a little; anything far past the image limit is refused unread.
const MAX_BODY_BYTES = MAX_IMAGE_BYTES + 64 * 1024;

export const POST = route(async (request: Request) => {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) throw new AppError("too_large", "The image is larger than 20 MB. Export it smaller and try again.");
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new AppError("invalid_request", "Send the image as multipart/form-data in a field named “file”.");
  }
  const file = form.get("file");
  if (!(file instanceof File)) throw new AppError("invalid_request", "Send the image in a multipart field named “file”.");
  const image = await ingestImage(Buffer.from(await file.arrayBuffer()), "upload", actorOf(request).accountId);
  return NextResponse.json(toUploadDto(image), { status: 201 });
});
