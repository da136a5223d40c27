import "server-only";
import { EventEmitter } from "node:events";
import type { EventBus, JobSignal } from "./types";

/** SQLite: the worker runs in this very process, so its changes are announced here alone. */
export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open tab; a busy studio passes Node's default warning level of 10.
    this.emitter.setMaxListeners(0);
  }

  publish(signal: JobSignal): void {
    this.emitter.emit("job", signal);
  }

  subscribe(listener: (signal: JobSignal) => void): () => void {
    this.emitter.on("job", listener);
    return () => this.emitter.off("job", listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
