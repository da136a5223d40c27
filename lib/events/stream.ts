import "server-only";
import type { JobDto } from "../dto";
import { getJob, jobsChangedSince } from "../jobs";
import { jobEvents, type JobSignal } from ".";

/** Keeps proxies and load balancers from cutting an idle stream (most cut at 30–60 s). */
const KEEPALIVE_MS = 20_000;
/**
 * A resumed stream re-sends what changed from this long before its last event id: the id is this
 * server's clock, the rows carry the writing instance's, and a change may commit a moment after
 * it was stamped. Re-sending a job costs nothing: the tab just writes its current state again.
 */
const RESUME_SLACK_MS = 30_000;
const RECONNECT_MS = 1000;

/**
 * Every open stream hears the same signal object: one read of the row serves them all. Keyed by
 * the signal, not the job, so a later change never gets a read that started before it.
 */
const reads = new WeakMap<JobSignal, Promise<JobDto | null>>();
function readJob(signal: JobSignal & { jobId: string }): Promise<JobDto | null> {
  let read = reads.get(signal);
  if (!read) {
    read = getJob(signal.jobId);
    reads.set(signal, read);
  }
  return read;
}

/**
 * One tab's server-sent event stream of job changes (GET /api/events):
 * `job` (a JobDto, with an id to resume from), `progress` ({jobId, progress}), `deleted` ({jobId}),
 * and `ready` once it is listening. With `lastEventId` (the browser's Last-Event-ID after a drop)
 * it first sends the current state of every job changed since then, so a drop misses nothing.
 */
export function jobEventStream(lastEventId: string | null, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = Date.now();
  let pending = Promise.resolve();
  let closed = false;
  let stop = () => undefined as void;

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the client went away before the abort reached us
        }
      };
      const send = (event: string, data: unknown, id?: number) => write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const catchUp = async (since: number) => {
        const stamp = Date.now();
        // Oldest first, so a tab applies them in the order they happened.
        for (const job of (await jobsChangedSince(since - RESUME_SLACK_MS)).reverse()) send("job", job, stamp);
        cursor = stamp;
      };
      const handle = async (event: JobSignal) => {
        if (event.kind === "resync") return catchUp(cursor);
        if (event.kind === "progress") return send("progress", { jobId: event.jobId, progress: event.progress });
        if (event.kind === "deleted") return send("deleted", { jobId: event.jobId });
        if (closed) return;
        const stamp = Date.now();
        const job = await readJob(event);
        if (job) send("job", job, stamp);
        cursor = stamp;
      };
      // In arrival order, one at a time: a job's later state never overtakes an earlier one.
      const enqueue = (step: () => Promise<unknown>) => {
        pending = pending.then(step).then(
          () => undefined,
          (error: unknown) => console.error("[events] could not send a job change:", error instanceof Error ? error.message : error),
        );
      };
      const unsubscribe = jobEvents().subscribe((event) => enqueue(() => handle(event)));
      const keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
      stop = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        unsubscribe();
        signal.removeEventListener("abort", stop);
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      if (signal.aborted) return stop();
      signal.addEventListener("abort", stop, { once: true });
      write(`retry: ${RECONNECT_MS}\n\n`);
      const since = Number(lastEventId);
      if (lastEventId && Number.isFinite(since)) enqueue(() => catchUp(since));
      enqueue(async () => send("ready", {}, cursor));
    },
    cancel() {
      stop();
    },
  });
}
