// `npm run worker`: a worker-only process, no web server. It runs the same worker as every
// `npm start` instance (lib/worker-boot.ts), with the same settings, on the shared queue: start
// as many as the providers' limits are worth, beside web instances (`ATELIER_WORKER=off`).
// Next compiles lib/ into the server build; this process compiles it on the fly with jiti
// (installed with Prisma's CLI), with the aliases Next and the tests use.
import path from "node:path";
import { fileURLToPath } from "node:url";
import nextEnv from "@next/env";
import { createJiti } from "jiti";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The .env files `next start` reads, so both kinds of process see the same settings.
nextEnv.loadEnvConfig(ROOT, false, { info: () => {}, error: console.error });
if (process.env.ATELIER_WORKER === "off") {
  console.error("ATELIER_WORKER=off is set: this process would have nothing to do.");
  process.exit(1);
}

const jiti = createJiti(import.meta.url, {
  alias: { "@": ROOT, "server-only": path.join(ROOT, "node_modules/server-only/empty.js") },
  fsCache: true,
});
const { startWorker } = await jiti.import(path.join(ROOT, "lib/worker-boot.ts"));
await startWorker();
// A web server keeps its process alive; here this does, until SIGTERM or SIGINT (the worker's
// handlers let short steps finish, then exit).
setInterval(() => {}, 1 << 30);
console.log(`Atelier worker started (pid ${process.pid}).`);
