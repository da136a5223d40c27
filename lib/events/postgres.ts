import "server-only";
import pg from "pg";
import { MemoryEventBus } from "./memory";
import type { EventBus, JobSignal } from "./types";

const CHANNEL = "atelier_jobs";
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/**
 * PostgreSQL: every instance NOTIFYs its changes and LISTENs on one dedicated connection, so a
 * job run by another instance's worker reaches this instance's open tabs. The payload is only the
 * signal (a job id, well under NOTIFY's 8000 bytes); receivers read the row. After the listening
 * connection drops (a database restart) it reconnects and says `resync`, since what was notified
 * meanwhile is gone.
 */
export class PostgresEventBus implements EventBus {
  private readonly local = new MemoryEventBus();
  private readonly pool: pg.Pool;
  private listening: Promise<void> | undefined;

  constructor(private readonly url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, application_name: "atelier-events" });
    this.pool.on("error", () => undefined);
    this.pool.on("connect", (client) => client.on("error", () => undefined));
  }

  publish(signal: JobSignal): void {
    this.pool.query("SELECT pg_notify($1, $2)", [CHANNEL, JSON.stringify(signal)]).catch((error: Error) => {
      console.error("[events] could not announce a job change:", error.message);
    });
  }

  subscribe(listener: (signal: JobSignal) => void): () => void {
    this.listening ??= this.listen();
    return this.local.subscribe(listener);
  }

  private async listen(): Promise<void> {
    let delay = RETRY_MIN_MS;
    let firstAttempt = true;
    for (;;) {
      // Keepalive probes find a connection that died without a word (a network cut) within a minute.
      const client = new pg.Client({ connectionString: this.url, application_name: "atelier-events", keepAlive: true, keepAliveInitialDelayMillis: 30_000 });
      const ended = new Promise<void>((resolve) => {
        client.on("error", () => resolve());
        client.on("end", () => resolve());
      });
      try {
        await client.connect();
        client.on("notification", (message) => {
          const signal = parseSignal(message.payload);
          if (signal) this.local.publish(signal);
        });
        await client.query(`LISTEN ${CHANNEL}`);
        // Anything notified while no connection listened is gone: streams re-read what changed.
        if (!firstAttempt) this.local.publish({ kind: "resync" });
        firstAttempt = false;
        delay = RETRY_MIN_MS;
        await ended;
      } catch {
        // Not reachable yet: try again below.
        firstAttempt = false;
      }
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(RETRY_MAX_MS, delay * 2);
    }
  }
}

function parseSignal(payload: string | undefined): JobSignal | null {
  try {
    const value = JSON.parse(payload ?? "") as JobSignal;
    return typeof value?.kind === "string" ? value : null;
  } catch {
    return null;
  }
}
