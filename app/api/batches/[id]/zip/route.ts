import { route } from "@/lib/server/http";
import { batchZip } from "@/lib/export";

/** GET /api/batches/:id/zip → every succeeded output of the batch, full resolution, as one zip. */
export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const body = await batchZip(id);
  return new Response(body, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="atelier-batch-${id}.zip"`,
      // Finished outputs are added as the batch runs: never serve an older zip.
      "Cache-Control": "no-store",
    },
  });
});
