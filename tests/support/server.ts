/**
 * Starts the real production build (`next start`) on a free port with its own DATA_DIR,
 * migrated with `prisma migrate deploy`, or with the PostgreSQL migrations when its env names
 * a postgresql:// DATABASE_URL. With ATELIER_TEST_BACKEND=scaleout, a server given neither
 * gets a PostgreSQL database and an S3 bucket of its own (tests/support/scaleout.ts).
 * Used by the API tests (one server per file) and by Playwright's global setup.
 * Needs a build in NEXT_DIST_DIR (default `.next`).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const PRISMA_BIN = path.join(ROOT, "node_modules/prisma/build/index.js");
const READY_TIMEOUT_MS = 60_000;
const MAX_LOG_CHARS = 200_000;
/** The allocator settings `npm start` gives the server (package.json config), so tests run it the same way. */
const GLIBC_TUNABLES: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).config.glibcTunables;

export type ServerOptions = {
  /** Extra environment for the server (DEMO_DELAY_MS defaults to "300"). */
  env?: Record<string, string>;
  /** Reuse this data folder as it is (no new folder, no migration), e.g. after kill(). */
  dataDir?: string;
  /** Remove the data folder on stop(); defaults to true when this call created it. */
  ownsDataDir?: boolean;
  /** The page that must answer 200 before the server counts as ready ("/login" when a password locks the API). */
  readyPath?: string;
};

export type TestServer = {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  /** SIGTERM, then wait for the process to exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL at once, like a crash. The data folder is kept. */
  kill(): void;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Everything the server printed so far. */
  logs(): string;
  ownsDataDir: boolean;
  /** The `next start` process (a worker id names it: w_<pid>_…). */
  pid: number;
};

function distDir(): string {
  return path.resolve(ROOT, process.env.NEXT_DIST_DIR || ".next");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs the real migration path against `dataDir` (creates dataDir/atelier.db). */
export function migrate(dataDir: string): void {
  const result = spawnSync(process.execPath, [PRISMA_BIN, "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: undefined },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Backends made for a data folder (scale-out mode), released with it. */
const backends = new Map<string, () => Promise<void>>();

async function removeDataDir(dataDir: string): Promise<void> {
  const release = backends.get(dataDir);
  backends.delete(dataDir);
  await release?.();
  if (!process.env.ATELIER_KEEP_TEST_DATA) await fs.promises.rm(dataDir, { recursive: true, force: true });
}

export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  if (!fs.existsSync(path.join(distDir(), "BUILD_ID"))) {
    throw new Error(`No production build in ${distDir()}: run \`next build\` first (or \`npm test\`).`);
  }
  let dataDir = opts.dataDir;
  let owns = opts.ownsDataDir ?? false;
  const env: Record<string, string> = { DEMO_DELAY_MS: "300", ...opts.env };
  if (!dataDir) {
    dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "atelier-test-"));
    owns = opts.ownsDataDir ?? true;
    try {
      if (process.env.ATELIER_TEST_BACKEND === "scaleout" && !env.DATABASE_URL && !env.S3_BUCKET) {
        const backend = await (await import("./scaleout")).scaleOutBackend();
        backends.set(dataDir, backend.release);
        Object.assign(env, backend.env);
      }
      // Loaded only here: Playwright's loader (global-setup.ts imports this file) cannot take an .mjs statically.
      if (env.DATABASE_URL?.startsWith("postgres")) await (await import("../../scripts/migrate-pg.mjs")).migratePostgres(env.DATABASE_URL);
      else migrate(dataDir);
    } catch (error) {
      await removeDataDir(dataDir);
      throw error;
    }
  }

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, dataDir, env, owns, opts.readyPath ?? "/api/providers");
    } catch (error) {
      lastError = error as Error;
      if (!/EADDRINUSE/.test(lastError.message)) break; // another process took the port: retry
    }
  }
  if (owns) await removeDataDir(dataDir);
  throw lastError;
}

async function launch(port: number, dataDir: string, env: Record<string, string>, owns: boolean, readyPath: string): Promise<TestServer> {
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
  };
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production", // vitest sets "test"; the server must run as in production
      NEXT_TELEMETRY_DISABLED: "1",
      // As `npm run studio`: SIGTERM goes to Atelier's graceful shutdown, not Next's instant exit.
      NEXT_MANUAL_SIG_HANDLE: "1",
      GLIBC_TUNABLES,
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);

  let exitedFlag = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitedFlag = true;
      log += `\n[harness] server exited (${code ?? signal})\n`;
      resolve();
    });
  });
  // Never leave a server behind when the test process ends.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  void exited.then(() => process.off("exit", onExit));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitedFlag) throw new Error(`The server exited before it was ready:\n${log}`);
    try {
      const res = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await exited;
      throw new Error(`The server did not answer GET ${readyPath} with 200 within ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
    await sleep(150);
  }

  const server: TestServer = {
    url,
    dataDir,
    env,
    exited,
    ownsDataDir: owns,
    pid: child.pid!,
    logs: () => log,
    kill() {
      if (!exitedFlag) child.kill("SIGKILL");
    },
    async stop() {
      if (!exitedFlag) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (server.ownsDataDir) await removeDataDir(dataDir);
    },
  };
  return server;
}

/**
 * Starts a new server on the same data folder as `prev` (after prev.kill() or prev.stop()),
 * with the same environment unless overridden. The new server takes over removing the folder.
 */
export async function restartServer(prev: TestServer, env?: Record<string, string>): Promise<TestServer> {
  prev.kill();
  await prev.exited;
  const owns = prev.ownsDataDir;
  prev.ownsDataDir = false;
  return startServer({ dataDir: prev.dataDir, env: { ...prev.env, ...env }, ownsDataDir: owns });
}

// ---------------------------------------------------------------------------------------
// Small HTTP helpers for the API tests.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function getJson(url: string): Promise<{ status: number; body: Json; res: Response }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: parse(text), res };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: Json; res: Response }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: parse(text), res };
}

function parse(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** POST /api/uploads with one multipart field (named `file` unless told otherwise). */
export async function upload(
  baseUrl: string,
  bytes: Uint8Array,
  opts: { filename?: string; type?: string; field?: string } = {},
): Promise<{ status: number; body: Json }> {
  const form = new FormData();
  const blob = new Blob([new Uint8Array(bytes)], { type: opts.type ?? "application/octet-stream" });
  form.append(opts.field ?? "file", blob, opts.filename ?? "image.bin");
  const res = await fetch(`${baseUrl}/api/uploads`, { method: "POST", body: form });
  return { status: res.status, body: parse(await res.text()) };
}

/** Uploads and returns the image id, failing loudly when the upload is refused. */
export async function uploadOk(baseUrl: string, bytes: Uint8Array, filename = "image.png"): Promise<string> {
  const { status, body } = await upload(baseUrl, bytes, { filename });
  if (status !== 201) throw new Error(`upload failed: ${status} ${JSON.stringify(body)}`);
  return body.id as string;
}

/** Creates a job and returns it, failing loudly when the server refuses. */
export async function createJob(baseUrl: string, body: Record<string, unknown>): Promise<Json> {
  const res = await postJson(`${baseUrl}/api/jobs`, { provider: "demo", ...body });
  if (res.status !== 201) throw new Error(`POST /api/jobs failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls GET /api/jobs/:id until its status is one of `statuses`; returns that job. */
export async function waitForJob(
  baseUrl: string,
  id: string,
  statuses: readonly string[] = ["succeeded", "failed", "canceled"],
  timeoutMs = 20_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  let last: Json;
  for (;;) {
    const { status, body } = await getJson(`${baseUrl}/api/jobs/${id}`);
    if (status !== 200) throw new Error(`GET /api/jobs/${id} answered ${status}: ${JSON.stringify(body)}`);
    last = body;
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) {
      throw new Error(`job ${id} did not reach ${statuses.join("|")} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    }
    await sleep(100);
  }
}

/** Downloads a URL (absolute or relative to baseUrl) as bytes. */
export async function download(baseUrl: string, url: string, headers?: Record<string, string>) {
  const res = await fetch(new URL(url, baseUrl), { headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The documented error shape, reduced for one `toEqual`: `{status, code, message: boolean}`. */
export function apiError(r: { status: number; body: Json }): { status: number; code: unknown; message: boolean } {
  const error = r.body && typeof r.body === "object" ? r.body.error : undefined;
  return {
    status: r.status,
    code: error?.code,
    message: typeof error?.message === "string" && error.message.length > 0,
  };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const isIso = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v)) && v.includes("T");
const isIsoOrNull = (v: unknown) => v === null || isIso(v);

function refProblems(ref: Json, where: string): string[] {
  const p: string[] = [];
  if (!ref || typeof ref !== "object") return [`${where} is not an object`];
  if (!ULID.test(String(ref.imageId))) p.push(`${where}.imageId ${ref.imageId}`);
  if (ref.url !== `/api/images/${ref.imageId}`) p.push(`${where}.url ${ref.url}`);
  if (ref.thumbUrl !== `/api/images/${ref.imageId}?variant=thumb`) p.push(`${where}.thumbUrl ${ref.thumbUrl}`);
  for (const k of ["width", "height"]) {
    if (!Number.isInteger(ref[k]) || ref[k] <= 0) p.push(`${where}.${k} ${ref[k]}`);
  }
  return p;
}

/** What is wrong with a job's JSON shape (an empty list when it matches lib/dto.ts JobDto). */
export function jobProblems(job: Json): string[] {
  if (!job || typeof job !== "object") return ["job is not an object"];
  const p: string[] = [];
  const expectKeys = [
    "id", "provider", "model", "mode", "prompt", "aspectRatio", "seed", "n", "status", "error",
    "inputs", "outputs", "costUsd", "createdBy", "createdAt", "startedAt", "finishedAt",
  ];
  for (const k of expectKeys) if (!(k in job)) p.push(`missing ${k}`);
  if (!ULID.test(String(job.id))) p.push(`id ${job.id}`);
  for (const k of ["provider", "model", "prompt", "aspectRatio"]) if (typeof job[k] !== "string") p.push(`${k} ${job[k]}`);
  if (!["generate", "edit"].includes(job.mode)) p.push(`mode ${job.mode}`);
  if (!Number.isInteger(job.seed) || job.seed < 0) p.push(`seed ${job.seed}`);
  if (!Number.isInteger(job.n) || job.n < 1) p.push(`n ${job.n}`);
  if (!["queued", "running", "succeeded", "failed", "canceled"].includes(job.status)) p.push(`status ${job.status}`);
  if (job.error !== null && (typeof job.error?.code !== "string" || typeof job.error?.message !== "string")) {
    p.push(`error ${JSON.stringify(job.error)}`);
  }
  if (!Array.isArray(job.inputs)) p.push("inputs is not an array");
  else job.inputs.forEach((r: Json, i: number) => p.push(...refProblems(r, `inputs[${i}]`)));
  if (!Array.isArray(job.outputs)) p.push("outputs is not an array");
  else job.outputs.forEach((r: Json, i: number) => p.push(...refProblems(r, `outputs[${i}]`)));
  if (job.costUsd !== null && typeof job.costUsd !== "number") p.push(`costUsd ${job.costUsd}`);
  if (job.createdBy !== null && (!ULID.test(String(job.createdBy?.id)) || typeof job.createdBy?.email !== "string")) {
    p.push(`createdBy ${JSON.stringify(job.createdBy)}`);
  }
  if (!isIso(job.createdAt)) p.push(`createdAt ${job.createdAt}`);
  if (!isIsoOrNull(job.startedAt)) p.push(`startedAt ${job.startedAt}`);
  if (!isIsoOrNull(job.finishedAt)) p.push(`finishedAt ${job.finishedAt}`);
  return p;
}
