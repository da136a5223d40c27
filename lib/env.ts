import "server-only";
import path from "node:path";
import { z } from "zod";
import { CATALOG, PROVIDER_IDS, providerEnvVars, type ProviderId } from "./catalog";
import { DATABASE_URL_HINT, DATABASE_URL_PATTERN, databaseTarget, type DatabaseTarget } from "./database-url";

const origin = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: "must be an http(s) origin such as https://api.example.com" })
    .default(fallback)
    .transform((u) => u.replace(/\/+$/, ""));
const key = z.string().trim().min(1).optional().catch(undefined);
const ms = (fallback: number, max = 3_600_000) => z.coerce.number().int().min(0).max(max).default(fallback);

/**
 * Every setting the server reads, validated once. API keys stay in this module's callers
 * on the server: they never reach a client bundle, an API answer, a log line or an error.
 */
const schema = z.object({
  DATA_DIR: z.string().default("data"),
  /** Unset or `file:…`: SQLite (the embedded default). `postgresql://…`: PostgreSQL (lib/database-url.ts). Empty counts as unset. */
  DATABASE_URL: z.preprocess(
    (value) => (typeof value === "string" ? value.trim() || undefined : value),
    z.string().regex(DATABASE_URL_PATTERN, { error: DATABASE_URL_HINT }).optional(),
  ),
  DEMO_DELAY_MS: ms(3000, 600_000),
  /** Set to "off" to run the web server without the job worker. */
  ATELIER_WORKER: z.enum(["on", "off"]).default("on"),
  /** How often the worker looks for queued jobs when nothing woke it. */
  WORKER_IDLE_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /**
   * How long a running job stays this process's without a renewal (renewed every third of it).
   * After a crash, other processes take its jobs over once this has passed.
   */
  WORKER_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(30_000),
  /** A sync provider call (the image comes in the answer) may take this long. */
  PROVIDER_SYNC_TIMEOUT_MS: ms(300_000),
  /** Any other provider HTTP call: submit, poll, result download. */
  PROVIDER_REQUEST_TIMEOUT_MS: ms(60_000),
  /** An async provider job that is not done after this long is given up (and canceled). */
  PROVIDER_JOB_DEADLINE_MS: ms(30 * 60_000, 24 * 3_600_000),
  /** Optional monthly spend limit; the studio warns before a submit would pass it. */
  ATELIER_BUDGET_USD: z.coerce.number().positive().optional().catch(undefined),
});

export type ProviderSettings = { apiKey: string | undefined; baseUrl: string };

/** Each keyed provider's key and origin, under the names its catalog entry gives (THEROUTER_API_KEY, …). */
const providerSchema = z.object(
  Object.fromEntries(
    PROVIDER_IDS.flatMap((id) => {
      const vars = providerEnvVars(id);
      const baseUrl = CATALOG[id].baseUrl;
      return vars && baseUrl ? [[vars.key, key], [vars.baseUrl, origin(baseUrl)]] : [];
    }),
  ),
);

export type Env = Omit<z.infer<typeof schema>, "DATABASE_URL"> & {
  dataDir: string;
  database: DatabaseTarget;
  /** Absent for the demo engine, which needs no settings. */
  providers: Partial<Record<ProviderId, ProviderSettings>>;
};

function load(): Env {
  const parsed = schema.safeParse(process.env);
  const parsedProviders = providerSchema.safeParse(process.env);
  if (!parsed.success || !parsedProviders.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(parsedProviders.error?.issues ?? [])];
    // Names and reasons only: a value could be a key.
    const lines = issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const values = parsedProviders.data as Record<string, string | undefined>;
  const providers: Env["providers"] = {};
  for (const id of PROVIDER_IDS) {
    const vars = providerEnvVars(id);
    if (vars) providers[id] = { apiKey: values[vars.key], baseUrl: values[vars.baseUrl]! };
  }
  const dataDir = path.resolve(/* turbopackIgnore: true */ process.cwd(), parsed.data.DATA_DIR);
  const { DATABASE_URL, ...settings } = parsed.data;
  return { ...settings, dataDir, database: databaseTarget(DATABASE_URL, dataDir), providers };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= load();
  return cached;
}
