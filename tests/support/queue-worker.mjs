/**
 * Starts tests/support/queue-worker-process.ts in a plain Node process (no vitest), so a
 * test can run several workers on one database and kill one of them with SIGKILL.
 * jiti compiles the TypeScript and resolves the same aliases as vitest.config.mts.
 */
import path from "node:path";
import { createJiti } from "jiti";

const root = path.resolve(import.meta.dirname, "../..");
const jiti = createJiti(import.meta.url, {
  alias: { "@": root, "server-only": path.join(root, "node_modules/server-only/empty.js") },
  fsCache: true,
});
await jiti.import("./queue-worker-process.ts");
