import "server-only";
import path from "node:path";
import { z } from "zod";

/** Every setting the server reads, validated once. Keys never leave this module's callers on the server. */
const schema = z.object({
  DATA_DIR: z.string().default("data"),
  DEMO_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
  /** Set to "off" to run the web server without the job worker (tests of the API alone). */
  ATELIER_WORKER: z.enum(["on", "off"]).default("on"),
  /** How often the worker looks for queued jobs when nothing woke it (ms). */
  WORKER_IDLE_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});

export type Env = z.infer<typeof schema> & { dataDir: string; databaseUrl: string };

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const dataDir = path.resolve(/* turbopackIgnore: true */ process.cwd(), parsed.data.DATA_DIR);
  return { ...parsed.data, dataDir, databaseUrl: `file:${path.join(dataDir, "atelier.db")}` };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= load();
  return cached;
}
