import { route } from "@/lib/server/http";
import { exportZip } from "@/lib/export";

/** GET /api/export?ids=a,b,c → a zip of those jobs' images with their recipes. */
export const GET = route(async (request: Request) => {
  const ids = (new URL(request.url).searchParams.get("ids") ?? "").split(",").filter(Boolean);
  const zip = await exportZip({ ids });
  return new Response(new Uint8Array(zip), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="atelier-${new Date().toISOString().slice(0, 10)}.zip"`,
      "Content-Length": String(zip.length),
    },
  });
});
