// The bench's throwaway PostgreSQL: the .mjs twin of tests/support/postgres.ts (initdb in a
// temp folder, pg_ctl on a free port; as root every command runs as the `postgres` user,
// since Debian's binaries refuse root), plus fast history seeding through `pg`.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { generateJobs, searchText } from "./seed.mjs";
import { freePort, onCleanup, ROOT } from "./util.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const pg = require("pg");
const PG_ROOT = "/usr/lib/postgresql";

function binDir() {
  const versions = fs.existsSync(PG_ROOT) ? fs.readdirSync(PG_ROOT).map(Number).filter((v) => v >= 15) : [];
  const bin = versions.sort((a, b) => b - a).map((v) => path.join(PG_ROOT, String(v), "bin"))[0];
  if (!bin || !fs.existsSync(path.join(bin, "initdb"))) throw new Error(`no PostgreSQL 15+ server under ${PG_ROOT} (apt-get install -y postgresql)`);
  return bin;
}

/** Starts a cluster; `createDatabase(name)` gives an empty database's URL. Stopped and removed at cleanup. */
export async function startPostgres() {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-bench-pg-"));
  if (asRoot) {
    const id = (flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(dir, id("-u"), id("-g"));
  }
  const run = (tool, args) => {
    const [cmd, all] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    const r = spawnSync(cmd, all, { cwd: dir, encoding: "utf8", timeout: 90_000 });
    if (r.status !== 0) throw new Error(`${tool} ${args[0]} failed: ${r.stderr || r.error?.message}`);
  };
  const data = path.join(dir, "data");
  const port = await freePort();
  const remove = () => {
    if (!fs.existsSync(dir)) return;
    try {
      run("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", data]);
    } catch {}
    fs.rmSync(dir, { recursive: true, force: true });
  };
  onCleanup(remove);
  process.once("exit", remove);
  // fsync off as in the tests: a bench cluster holds nothing worth a flush; the rest is stock.
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
  run("pg_ctl", ["start", "-w", "-t", "60", "-D", data, "-l", path.join(dir, "server.log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
  const urlOf = (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return {
    version: path.basename(path.dirname(bin)),
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: urlOf("postgres") });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return urlOf(name);
    },
  };
}

export async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onCleanup(() => client.end().catch(() => {}));
  return client;
}

const JOB_COLUMNS = [
  ["id", "text"], ["provider", "text"], ["model", "text"], ["mode", "text"], ["prompt", "text"], ["promptSearch", "text"], ["aspectRatio", "text"], ["seed", "int"], ["n", "int"],
  ["status", "text"], ["providerJobId", "text"], ["attempts", "int"], ["claimedBy", "text"], ["errorCode", "text"], ["errorMessage", "text"],
  ["costUsd", "float8"], ["parentImageId", "text"], ["createdAt", "timestamp"], ["startedAt", "timestamp"], ["finishedAt", "timestamp"],
];

/** One INSERT … SELECT FROM unnest(one array per column): a whole chunk in one statement. */
async function insertColumns(client, table, columns, rows) {
  if (!rows.length) return;
  const arrays = columns.map(([name]) => rows.map((r) => r[name] ?? null));
  const names = columns.map(([name]) => `"${name}"`).join(", ");
  const unnest = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  await client.query(`INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`, arrays);
}

/**
 * The same rows as seed.mjs puts into SQLite, into PostgreSQL in one transaction, 10k jobs
 * per statement. Timestamps are UTC, as Prisma writes them (TIMESTAMP(3) without zone).
 */
export async function seedJobsPg(client, { count, images, seed = 1, nowMs = Date.now() }) {
  const started = performance.now();
  let outputs = 0;
  await client.query("BEGIN");
  try {
    const jobs = [];
    const inputs = [];
    const outs = [];
    const flush = async () => {
      await insertColumns(client, "Job", JOB_COLUMNS, jobs.splice(0));
      await insertColumns(client, "JobInput", [["jobId", "text"], ["position", "int"], ["imageId", "text"]], inputs.splice(0));
      await insertColumns(client, "JobOutput", [["jobId", "text"], ["position", "int"], ["imageId", "text"], ["seed", "int"]], outs.splice(0));
    };
    for (const { job, input, outputs: o } of generateJobs({ count, images, seed, nowMs })) {
      jobs.push({ ...job, createdAt: job.createdAt.replace("+00:00", ""), startedAt: job.startedAt.replace("+00:00", ""), finishedAt: job.finishedAt.replace("+00:00", "") });
      if (input) inputs.push({ jobId: job.id, position: 0, imageId: input });
      for (const [position, [imageId, s]] of o.entries()) outs.push({ jobId: job.id, position, imageId, seed: s });
      outputs += o.length;
      if (jobs.length >= 10_000) await flush();
    }
    await flush();
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  await client.query(`ANALYZE "Job"; ANALYZE "JobInput"; ANALYZE "JobOutput"`);
  return { jobs: count, outputs, ms: performance.now() - started };
}

export async function countMatchesPg(client, word) {
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM "Job" WHERE strpos("promptSearch", $1) > 0`, [searchText(word)]);
  return rows[0].n;
}
