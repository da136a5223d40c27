import "server-only";
import { EventEmitter } from "node:events";
import type { EventBus, JobSignal } from "./types";

export type OtherWriters = {
  /** A value that changes whenever another process commits to the database (SQLite's data_version). */
  probe: () => Promise<unknown>;
  everyMs: number;
};

/**
 * SQLite: the worker normally runs in this very process, so its changes are announced here. A
 * worker in another process on the same file (`npm run worker`) cannot reach this emitter: while
 * anyone listens, `otherWriters` is asked every `everyMs`, and a commit by another process makes
 * streams re-read what changed (`resync`).
 */
export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;
  private seen: unknown;

  constructor(private readonly otherWriters?: OtherWriters) {
    // One listener per open tab; a busy studio passes Node's default warning level of 10.
    this.emitter.setMaxListeners(0);
  }

  publish(signal: JobSignal): void {
    this.emitter.emit("job", signal);
  }

  subscribe(listener: (signal: JobSignal) => void): () => void {
    this.emitter.on("job", listener);
    this.watch();
    return () => {
      this.emitter.off("job", listener);
      if (this.emitter.listenerCount("job") === 0) this.timer = void clearInterval(this.timer);
    };
  }

  private watch(): void {
    const other = this.otherWriters;
    if (!other || this.timer) return;
    this.seen = undefined;
    this.timer = setInterval(() => {
      other.probe().then(
        (value) => {
          const changed = this.seen !== undefined && String(value) !== String(this.seen);
          this.seen = value;
          if (changed) this.publish({ kind: "resync" });
        },
        () => undefined, // a busy or missing file: ask again next time
      );
    }, other.everyMs);
    this.timer.unref();
  }
}
