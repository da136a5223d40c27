/**
 * Small measuring tools for the stress suite: percentiles, the most intervals open at once,
 * the resident memory of a server process tree (Linux /proc), a read-only look at a data
 * folder's database. (Polling helpers: tests/support/wait.ts.)
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

export type Interval = { start: number; end: number; label?: string };

/**
 * The most intervals open at the same moment. Intervals are half-open [start, end): one that
 * ends at the very millisecond another starts does not overlap it (a slot handed on).
 */
export function maxOverlap(intervals: readonly Interval[]): number {
  const events: [number, number][] = [];
  for (const { start, end } of intervals) {
    events.push([start, +1], [Math.max(start, end), -1]);
  }
  // At equal times, ends (-1) come before starts (+1).
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, delta] of events) {
    open += delta;
    max = Math.max(max, open);
  }
  return max;
}

// ---------------------------------------------------------------------------------------
// Memory of the server: the `next start` process found by its port, plus its descendants.

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  try {
    return fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number);
  } catch {
    return [];
  }
}

/** Inodes of the sockets listening on `port` (from /proc/net/tcp and tcp6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of (readProc(table) ?? "").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1]?.split(":")[1];
      if (local && parseInt(local, 16) === port && f[3] === "0A" && f[9] && f[9] !== "0") inodes.add(f[9]);
    }
  }
  return inodes;
}

/**
 * The pid of the server process listening on `url`'s port, searched among this test
 * process's descendants (the harness spawned it; Next renames its title to "next-server").
 */
export function serverPid(url: string): number | undefined {
  const inodes = listeningInodes(Number(new URL(url).port));
  if (inodes.size === 0) return undefined;
  for (const pid of processTree(process.pid)) {
    if (pid === process.pid) continue;
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const stat = readProc(`/proc/${pid}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Summed VmRSS (MB) of `root` and its descendants; 0 when nothing could be read. */
export function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readProc(`/proc/${pid}/status`) ?? "");
    if (m) kb += Number(m[1]);
  }
  return kb / 1024;
}

/** Samples treeRssMb(root) every `everyMs` until stop(); returns the samples (MB). */
export function sampleRss(root: number | undefined, everyMs = 100): { stop(): number[] } {
  const samples: number[] = [];
  const take = () => {
    if (root !== undefined && samples.length < 50_000) {
      const mb = treeRssMb(root);
      if (mb > 0) samples.push(mb);
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

// ---------------------------------------------------------------------------------------
// The data folder, read directly.

/** Opens DATA_DIR/atelier.db read-only, runs `fn`, closes it. Safe while a server runs (WAL). */
export function withDb<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, "atelier.db"), { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every file under `root`, as slash-separated paths relative to it. */
export function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"));
}

/**
 * What a data folder holds that nothing uses: files under images/ that no Image row names
 * (path or thumbPath), Image rows whose files are missing, and output images no job output
 * refers to. Empty lists when the folder is clean.
 */
export function orphanReport(dataDir: string): { strayFiles: string[]; missingFiles: string[]; unusedOutputs: string[] } {
  const root = path.join(dataDir, "images");
  const files = filesUnder(root);
  return withDb(dataDir, (db) => {
    const images = db.prepare(`SELECT id, path, thumbPath, origin FROM "Image"`).all() as { id: string; path: string; thumbPath: string; origin: string }[];
    const known = new Set(images.flatMap((i) => [i.path, i.thumbPath]));
    const onDisk = new Set(files);
    const unused = db
      .prepare(`SELECT id FROM "Image" WHERE origin = 'output' AND id NOT IN (SELECT imageId FROM "JobOutput")`)
      .all() as { id: string }[];
    return {
      strayFiles: files.filter((f) => !known.has(f)),
      missingFiles: [...known].filter((k) => !onDisk.has(k)),
      unusedOutputs: unused.map((r) => r.id),
    };
  });
}
