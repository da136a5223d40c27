/**
 * Job changes as one process learns of them. A signal only names the job: whoever receives it
 * reads the row itself, so a signal may be late, repeated or (after a listener's reconnect)
 * summed up by `resync`, and still nothing shown is ever stale.
 */
export type JobSignal =
  | { kind: "changed"; jobId: string }
  /** A provider's poll said how far along it is, 0–1; kept in no row. */
  | { kind: "progress"; jobId: string; progress: number }
  | { kind: "deleted"; jobId: string }
  /** Signals may have been lost (the listener lost its database connection): re-read what changed. */
  | { kind: "resync" };

export interface EventBus {
  /** Never throws and never waits for delivery: a lost signal costs a late update, not a failed job. */
  publish(signal: JobSignal): void;
  /** Returns the unsubscribe; a stream that ends must call it. */
  subscribe(listener: (signal: JobSignal) => void): () => void;
}
