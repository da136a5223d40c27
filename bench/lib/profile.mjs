// `--profile`: summarises a V8 CPU profile of the server (node --cpu-prof) by where the
// time went: self time per package (Prisma's runtime and its query-compiler WASM, Next,
// sharp, the app's own chunks, …), plus Prisma's share, so a slow figure points at a cause.
import fs from "node:fs";
import path from "node:path";

function bucket(frame) {
  const url = frame.url ?? "";
  if (!url) return frame.functionName?.startsWith("(") ? frame.functionName : "(native)";
  if (url.startsWith("wasm://")) return "wasm (Prisma query compiler)";
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (/\/server\/chunks\//.test(url)) return "app server chunks (incl. bundled adapters)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  return path.basename(url);
}

/** Self time per bucket (ms) over all .cpuprofile files in `dir`, busiest first; idle excluded. */
export function summariseProfiles(dir) {
  const totals = new Map();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const prof = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < prof.samples.length; i++) {
      const node = nodes.get(prof.samples[i]);
      const key = bucket(node.callFrame);
      totals.set(key, (totals.get(key) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
    }
  }
  totals.delete("(idle)");
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  const prisma = ["@prisma/client", "wasm (Prisma query compiler)", "better-sqlite3", "@prisma/adapter-better-sqlite3"].reduce((s, k) => s + (totals.get(k) ?? 0), 0);
  return {
    busyMs: Math.round(busy),
    prismaAndSqliteShare: busy ? Math.round((prisma / busy) * 100) / 100 : null,
    top: [...totals].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([where, ms]) => ({ where, ms: Math.round(ms), share: Math.round((ms / busy) * 1000) / 1000 })),
  };
}
