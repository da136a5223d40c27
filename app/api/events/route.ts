import { whileSignedIn } from "@/lib/auth";
import { jobEventStream } from "@/lib/events/stream";

// A stream per request; nothing here may be cached or prerendered.
export const dynamic = "force-dynamic";

export function GET(request: Request): Response {
  const lastEventId = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("since");
  return new Response(jobEventStream(lastEventId, whileSignedIn(request)), {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: the compression layer leaves the stream alone instead of buffering it.
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
