import "server-only";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// V8 collects when JavaScript allocates, never because the process went quiet. After a burst
// of jobs, the Buffers of decoded and encoded images (memory outside V8's heap, owned by
// objects that are already garbage) would stay resident until the next burst. The worker calls
// this once it has been idle for a while; `gc` is taken from a fresh context with the flag set
// here rather than asking every way of starting the server for --expose-gc.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** One full collection; the memory of garbage Buffers goes back to the allocator at once. */
export function collectGarbage(): void {
  gc();
}
