import { route } from "@/lib/server/http";
import { downloadWithRecipe } from "@/lib/export";

/** The image as a file to keep, with its recipe embedded (XMP), under a telling name. */
export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { bytes, mime, filename } = await downloadWithRecipe((await params).id);
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": mime,
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Content-Length": String(bytes.length),
      "Cache-Control": "private, no-cache",
    },
  });
});
