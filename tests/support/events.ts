/**
 * A reader of GET /api/events as a browser's EventSource would read it: `event:`, `id:` and
 * `data:` fields, blank-line separated, comments skipped. Used by the API, PostgreSQL and bench runs.
 */
export type StreamEvent = { event: string; id: string | undefined; data: any; at: number }; // eslint-disable-line @typescript-eslint/no-explicit-any

export type EventStream = {
  status: number;
  contentType: string;
  /** Every event so far, in order. */
  events: StreamEvent[];
  /** Everything the server sent, comments included (to check nothing secret is in it). */
  text(): string;
  /** The id of the last event that had one (what a browser sends as Last-Event-ID). */
  lastId(): string | undefined;
  /** Resolves with the first event (already received or still to come) that matches. */
  next(what: string, match: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  close(): void;
};

export async function openEventStream(baseUrl: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/events`, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let raw = "";
  let buffer = "";
  let ended = false;
  const parse = (block: string) => {
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const [field, ...rest] = line.split(":");
      const value = rest.join(":").replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) events.push({ event, id, data: JSON.parse(data.join("\n")), at: Date.now() });
  };
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const text = decoder.decode(chunk, { stream: true });
          raw += text;
          buffer += text;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
          for (const wake of waiters) wake();
        }
      } catch {
        // Closed by us.
      }
      ended = true;
      for (const wake of waiters) wake();
    })();
  } else {
    raw = await res.text();
    ended = true;
  }
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    events,
    text: () => raw,
    lastId: () => events.findLast((e) => e.id !== undefined)?.id,
    next(what, match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) done(() => resolve(found));
          else if (ended) done(() => reject(new Error(`the event stream ended before ${what}; got ${summary(events)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms; got ${summary(events)}`))), timeoutMs);
        const done = (finish: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          finish();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}

function summary(events: StreamEvent[]): string {
  return JSON.stringify(events.map((e) => (e.event === "job" ? `${e.data.id}:${e.data.status}` : e.event)));
}

/** The statuses a stream showed for one job, in order, repeats folded. */
export function statusesOf(stream: EventStream, jobId: string): string[] {
  const seen: string[] = [];
  for (const e of stream.events) {
    if (e.event === "job" && e.data.id === jobId && seen[seen.length - 1] !== e.data.status) seen.push(e.data.status);
  }
  return seen;
}
