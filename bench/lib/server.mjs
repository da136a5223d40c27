// The production build and the server under test: build when missing, migrate a fresh
// DATA_DIR, start `next start` on a free loopback port, sample its memory, stop it.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migratePostgres } from "../../scripts/migrate-pg.mjs";
import { freePort, log, onCleanup, ROOT, sleep } from "./util.mjs";

const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const PRISMA_BIN = path.join(ROOT, "node_modules/prisma/build/index.js");
const READY_TIMEOUT_MS = 90_000;
const BUILD_TIMEOUT_MS = 15 * 60_000;
const MAX_LOG_CHARS = 200_000;
/** The allocator settings `npm start` gives the server (package.json config): the bench runs it the same way. */
export const GLIBC_TUNABLES = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).config.glibcTunables;

export const distDirName = () => process.env.NEXT_DIST_DIR || ".next";
export const distDir = () => path.resolve(ROOT, distDirName());

/**
 * Builds into NEXT_DIST_DIR (default .next) unless a build is already there (or `force`).
 * Next adds `<distDir>/types` entries to tsconfig.json on every build; for a dist dir other
 * than .next the bench takes back exactly the entries it caused, so it leaves no trace.
 */
export function ensureBuild({ force = false, allowBuild = true } = {}) {
  if (!fs.existsSync(path.join(ROOT, "lib/generated/prisma"))) {
    log("generating the Prisma client");
    const gen = spawnSync(process.execPath, [PRISMA_BIN, "generate"], { cwd: ROOT, stdio: "inherit", timeout: 300_000 });
    if (gen.status !== 0) throw new Error("prisma generate failed");
  }
  if (!force && fs.existsSync(path.join(distDir(), "BUILD_ID"))) {
    log(`using the production build in ${distDirName()} (BUILD_ID ${fs.readFileSync(path.join(distDir(), "BUILD_ID"), "utf8").trim()})`);
    return { built: false };
  }
  if (!allowBuild) throw new Error(`no production build in ${distDirName()} (and --no-build was given): run \`next build\` first`);
  log(`building into ${distDirName()} (next build)`);
  const tsconfigPath = path.join(ROOT, "tsconfig.json");
  const before = fs.readFileSync(tsconfigPath, "utf8");
  const started = Date.now();
  const r = spawnSync(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    timeout: BUILD_TIMEOUT_MS,
  });
  if (distDirName() !== ".next") untouchTsconfig(tsconfigPath, before);
  if (r.status !== 0) throw new Error(`next build failed (${r.status ?? r.signal})`);
  return { built: true, ms: Date.now() - started };
}

function untouchTsconfig(file, before) {
  try {
    const after = fs.readFileSync(file, "utf8");
    if (after === before) return;
    const was = JSON.parse(before).include ?? [];
    const now = JSON.parse(after);
    const mine = `${distDirName()}/`;
    const added = (now.include ?? []).filter((p) => p.startsWith(mine) && !was.includes(p));
    if (added.length === 0) return;
    now.include = now.include.filter((p) => !added.includes(p));
    fs.writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);
  } catch {
    // Leave the file as Next left it rather than risk damaging it.
  }
}

/**
 * A fresh temp DATA_DIR migrated with the real migrations (`prisma migrate deploy`); with a
 * postgresql:// `databaseUrl`, that database is migrated instead (scripts/migrate-pg.mjs, as
 * `npm run studio` does) and the DATA_DIR holds only the image files.
 */
export async function freshBackend(label, databaseUrl) {
  if (!databaseUrl?.startsWith("postgres")) return freshDataDir(label);
  await migratePostgres(databaseUrl);
  return tempDir(label);
}

function tempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `atelier-bench-${label}-`));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh temp DATA_DIR migrated with the real migrations (`prisma migrate deploy`). */
export function freshDataDir(label) {
  const dir = tempDir(label);
  const r = spawnSync(process.execPath, [PRISMA_BIN, "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: undefined },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

/**
 * Starts `next start` on 127.0.0.1 with DATA_DIR (and DATABASE_URL when given: PostgreSQL) and
 * extra env; resolves once GET /api/providers answers 200.
 */
export async function startServer({ dataDir, databaseUrl, env = {}, nodeArgs = [] }) {
  if (!fs.existsSync(path.join(distDir(), "BUILD_ID"))) throw new Error(`no production build in ${distDir()}`);
  const port = await freePort();
  let logs = "";
  const append = (chunk) => {
    logs += chunk.toString();
    if (logs.length > MAX_LOG_CHARS) logs = logs.slice(-MAX_LOG_CHARS);
  };
  const child = spawn(process.execPath, [...nodeArgs, NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      // As `npm run studio`: SIGTERM goes to Atelier's graceful shutdown.
      NEXT_MANUAL_SIG_HANDLE: "1",
      GLIBC_TUNABLES,
      DATABASE_URL: databaseUrl,
      ATELIER_PASSWORD: undefined,
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  let exited = false;
  const exit = new Promise((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const killHard = () => {
    if (!exited) child.kill("SIGKILL");
  };
  process.once("exit", killHard);

  const stop = async () => {
    if (!exited) {
      // Descendants first (if any), then the server itself.
      for (const pid of descendants(child.pid)) {
        try {
          process.kill(pid, "SIGTERM");
        } catch {}
      }
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        for (const pid of descendants(child.pid)) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {}
        }
        killHard();
      }, 10_000);
      await exit;
      clearTimeout(timer);
    }
    process.off("exit", killHard);
  };
  const removeCleanup = onCleanup(stop);

  const url = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  for (let i = 0; i < 1000; i++) {
    if (exited) throw new Error(`the server exited before it was ready:\n${logs}`);
    try {
      const res = await fetch(`${url}/api/providers`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - startedAt > READY_TIMEOUT_MS) {
      await stop();
      throw new Error(`the server did not become ready within ${READY_TIMEOUT_MS} ms:\n${logs}`);
    }
    await sleep(100);
  }
  return {
    url,
    pid: child.pid,
    dataDir,
    databaseUrl,
    readyMs: Date.now() - startedAt,
    logs: () => logs,
    rssMb: () => treeRssMb(child.pid),
    /** The tree's VmHWM summed: each process's own peak, so never below the true peak of the sum. */
    hwmMb: () => treeRssMb(child.pid, "VmHWM"),
    /** Resets every process's VmHWM to its current RSS (Linux ≥ 4.0: clear_refs 5); false where that failed. */
    resetPeaks: () => [child.pid, ...descendants(child.pid)].every(resetPeak),
    /** Each process of the tree: pid, command line, RSS now and at its peak (MB). */
    processes: () =>
      [child.pid, ...descendants(child.pid)].map((pid) => ({ pid, command: commandLine(pid), rssMb: statusKb(pid) / 1024, hwmMb: statusKb(pid, "VmHWM") / 1024 })),
    cpuMs: () => treeCpuMs(child.pid),
    async stop() {
      await stop();
      removeCleanup();
    },
  };
}

/** Children, grandchildren… of `pid`, from /proc (Linux). */
export function descendants(pid) {
  const parents = new Map();
  let entries = [];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!parents.has(ppid)) parents.set(ppid, []);
      parents.get(ppid).push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  const out = [];
  const queue = [pid];
  while (queue.length && out.length < 10_000) {
    const p = queue.shift();
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** A kB field of /proc/<pid>/status: VmRSS (resident now) or VmHWM (the most it has been resident). */
function statusKb(pid, field = "VmRSS") {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ").slice(0, 200);
  } catch {
    return "";
  }
}

const TICKS_PER_S = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime of one process, in ms. */
function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) used so far by the process and all its descendants, in ms. */
export function treeCpuMs(pid) {
  let ms = cpuMsOf(pid);
  for (const c of descendants(pid)) ms += cpuMsOf(c);
  return ms;
}

/** VmRSS (or another kB field, e.g. VmHWM) of the process and all its descendants, summed, in MB. */
export function treeRssMb(pid, field = "VmRSS") {
  let kb = statusKb(pid, field);
  for (const c of descendants(pid)) kb += statusKb(c, field);
  return kb / 1024;
}

/** Samples `server.rssMb()` every `everyMs` until stopped (bounded by maxSamples). */
export function rssSampler(server, { everyMs = 100, maxSamples = 20_000 } = {}) {
  const samples = [];
  const timer = setInterval(() => {
    if (samples.length >= maxSamples) return clearInterval(timer);
    samples.push(server.rssMb());
  }, everyMs);
  const remove = onCleanup(() => clearInterval(timer));
  return {
    samples,
    stop() {
      clearInterval(timer);
      remove();
      return samples;
    },
  };
}
