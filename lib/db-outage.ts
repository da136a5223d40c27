import "server-only";
import { AppError } from "./errors";

/**
 * Errors that mean "the database is out of reach right now" (a restart, a dropped
 * connection), as `pg` and Prisma's pg adapter report them, as opposed to a query that is
 * wrong. Work interrupted by one is not the job's fault: it is retried or taken over.
 */
const CODES = new Set([
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, and the connection_exception class.
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  // Sockets.
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  // Prisma: can't reach the server, timed out reaching it, server closed the connection, pool timeout.
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);
const KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// "Transaction already closed": Prisma's client engine tries a rollback after a commit that a
// dropped connection cut short, and reports that (P2028) instead of the connection error.
const MESSAGES =
  /Connection terminated|connection error|not queryable|terminating connection|Can't reach database server|Server has closed the connection|Transaction already closed/i;

export function isDatabaseOutage(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  // Already named by the domain: an unreachable bucket wraps the same socket errors (ECONNREFUSED, …).
  if (error instanceof AppError) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string } } } };
  if (typeof e.code === "string" && CODES.has(e.code)) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter && (KINDS.has(adapter.kind ?? "") || CODES.has(adapter.code ?? ""))) return true;
  if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
  return isDatabaseOutage(e.cause, depth + 1);
}

/**
 * Runs `attempt` again while the database is out of reach, backing off from 100 ms to 2 s,
 * for up to `forMs`; any other error, or an outage that lasts longer, is thrown.
 */
export async function throughOutage<T>(attempt: () => Promise<T>, forMs: number, log?: (message: string) => void): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isDatabaseOutage(error) || Date.now() + delay > deadline) throw error;
      log?.(`[db] out of reach (${outageReason(error)}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The last line of the message: Prisma puts the call site first and the reason last. */
export function outageReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split("\n").at(-1)!.trim();
}
