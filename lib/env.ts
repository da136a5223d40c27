import "server-only";
import path from "node:path";
import { z } from "zod";
import { CATALOG, concurrencyVar, PROVIDER_IDS, providerEnvVars, type ProviderId } from "./catalog";
import { DATABASE_URL_HINT, DATABASE_URL_PATTERN, databaseTarget, type DatabaseTarget } from "./database-url";

const origin = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: "must be an http(s) origin such as https://api.example.com" })
    .default(fallback)
    .transform((u) => u.replace(/\/+$/, ""));
const key = z.string().trim().min(1).optional().catch(undefined);
/** Unset and empty are the same: `S3_BUCKET=` in a .env file turns S3 off. */
const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || undefined);
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
  /**
   * Where people reach the studio (https://atelier.example.com), for the invite links the
   * `npm run user` CLI prints; unset: http://localhost:PORT. Empty counts as unset.
   */
  ATELIER_PUBLIC_URL: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() || undefined : v),
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://atelier.example.com" })
      .transform((u) => u.replace(/\/+$/, ""))
      .optional(),
  ),
  /** Optional monthly spend limit; the studio warns before a submit would pass it. */
  ATELIER_BUDGET_USD: z.coerce.number().positive().optional().catch(undefined),
  /** Team mode: each person's monthly limit unless an admin set their own; a submit that would pass it is refused. */
  // 0 is a limit (no paid jobs), so an empty value must read as unset rather than coerce to 0.
  ATELIER_BUDGET_USD_PER_USER: z.preprocess((v) => (typeof v === "string" && !v.trim() ? undefined : v), z.coerce.number().nonnegative().optional()).catch(undefined),
  /** Set: images live in this S3-compatible bucket instead of DATA_DIR/images. */
  S3_BUCKET: optional,
  /** For S3-compatible servers (MinIO, R2, …); unset means AWS itself. */
  S3_ENDPOINT: z.preprocess(
    (v) => v || undefined,
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://s3.example.com" })
      .refine((u) => !new URL(u).username && !new URL(u).password, "must not carry credentials: use S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY")
      .optional(),
  ),
  S3_REGION: z.string().trim().min(1).default("us-east-1"),
  /** Both or neither: without them the SDK's own chain (instance role, AWS_* variables) applies. */
  S3_ACCESS_KEY_ID: optional,
  S3_SECRET_ACCESS_KEY: optional,
  /** 1 for servers that only understand https://host/bucket/key (MinIO and most self-hosted ones). */
  S3_FORCE_PATH_STYLE: z.enum(["0", "1"]).default("0"),
});

export type S3Settings = {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
};

/** The S3 settings hang together, or the server refuses to start (names only, never values). */
function s3Settings(data: z.infer<typeof schema>): { s3?: S3Settings; problems: string[] } {
  const { S3_BUCKET: bucket, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = data;
  const problems: string[] = [];
  if (!bucket) {
    if (endpoint || accessKeyId || secretAccessKey) problems.push("  S3_BUCKET: required when other S3_* settings are given");
    return { problems };
  }
  if (!accessKeyId !== !secretAccessKey) problems.push("  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: give both or neither");
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
  return { s3: { bucket, endpoint, region: data.S3_REGION, credentials, forcePathStyle: data.S3_FORCE_PATH_STYLE === "1" }, problems };
}

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

/** Each provider's limit of jobs at once, for all instances together (THEROUTER_CONCURRENCY=4, …). */
const concurrencySchema = z.object(
  Object.fromEntries(PROVIDER_IDS.map((id) => [concurrencyVar(id), z.coerce.number().int().min(1).max(1000).default(CATALOG[id].concurrency)])),
);

export type Env = Omit<z.infer<typeof schema>, "DATABASE_URL"> & {
  dataDir: string;
  database: DatabaseTarget;
  /** Absent when images live in DATA_DIR/images. */
  s3: S3Settings | undefined;
  /** Absent for the demo engine, which needs no settings. */
  providers: Partial<Record<ProviderId, ProviderSettings>>;
  concurrency: Record<ProviderId, number>;
};

function load(): Env {
  const parsed = schema.safeParse(process.env);
  const parsedProviders = providerSchema.safeParse(process.env);
  const parsedConcurrency = concurrencySchema.safeParse(process.env);
  if (!parsed.success || !parsedProviders.success || !parsedConcurrency.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(parsedProviders.error?.issues ?? []), ...(parsedConcurrency.error?.issues ?? [])];
    // Names and reasons only: a value could be a key.
    const lines = issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const { s3, problems } = s3Settings(parsed.data);
  if (problems.length > 0) throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  const values = parsedProviders.data as Record<string, string | undefined>;
  const providers: Env["providers"] = {};
  for (const id of PROVIDER_IDS) {
    const vars = providerEnvVars(id);
    if (vars) providers[id] = { apiKey: values[vars.key], baseUrl: values[vars.baseUrl]! };
  }
  const limits = parsedConcurrency.data as Record<string, number>;
  const concurrency = Object.fromEntries(PROVIDER_IDS.map((id) => [id, limits[concurrencyVar(id)]!])) as Env["concurrency"];
  const dataDir = path.resolve(/* turbopackIgnore: true */ process.cwd(), parsed.data.DATA_DIR);
  const { DATABASE_URL, ...settings } = parsed.data;
  return { ...settings, dataDir, database: databaseTarget(DATABASE_URL, dataDir), s3, providers, concurrency };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= load();
  return cached;
}
