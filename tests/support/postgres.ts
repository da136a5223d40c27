/**
 * A throwaway PostgreSQL cluster for tests: `initdb` in a temp folder, a server on a free
 * port and a socket in that folder, gone again after stop(). Never the machine's own service
 * (a user's machine has none). Debian's binaries refuse to run as root, so as root every
 * command runs as the `postgres` user on a folder it owns. Start one per test file (beforeAll).
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { migratePostgres } from "../../scripts/migrate-pg.mjs";
import { freePort } from "./server";

const PG_ROOT = "/usr/lib/postgresql";
const MIN_VERSION = 15;
const execFileAsync = promisify(execFile);

export type PostgresCluster = {
  /** The database made at start ("atelier"), empty. */
  url: string;
  port: number;
  /** Another empty database on this cluster; its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server (fast shutdown: sessions are cut), waits `downMs` and for `whileDown`,
   * then starts it again on the same port, data kept: for reconnect tests.
   */
  restart(downMs?: number, whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
};

/** The newest installed server's bin folder (15 or newer), or undefined. */
export function postgresBinDir(): string | undefined {
  const versions = fs.existsSync(PG_ROOT) ? fs.readdirSync(PG_ROOT).map(Number).filter((v) => v >= MIN_VERSION) : [];
  const bin = versions.sort((a, b) => b - a).map((v) => path.join(PG_ROOT, String(v), "bin"))[0];
  return bin && fs.existsSync(path.join(bin, "initdb")) ? bin : undefined;
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      `The PostgreSQL suite did not run: no PostgreSQL ${MIN_VERSION}+ server under ${PG_ROOT}. ` +
        "Install Debian's package (sudo apt-get install -y postgresql); `npm test` does it when run as root.",
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-pg-"));
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(dir, id("-u"), id("-g"));
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  // Asynchronous, so the test's own connections see the server go and come back as they would in
  // production: a blocked event loop would leave dead connections in a pool unnoticed.
  const run = async (tool: string, args: string[]) => {
    const [cmd, all] = command(tool, args);
    try {
      await execFileAsync(cmd, all, { encoding: "utf8", cwd: dir });
    } catch (error) {
      const log = fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8").slice(-2000) : "";
      throw new Error(`${tool} ${args[0]} failed: ${(error as { stderr?: string }).stderr || (error as Error).message}\n${log}`);
    }
  };
  const data = path.join(dir, "data");
  const port = await freePort();
  // A zone far from UTC, so nothing can quietly depend on the server's clock being UTC.
  // fsync off and small buffers: a test cluster holds nothing worth a disk flush, and 2 cores are shared.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c timezone=Asia/Kathmandu -c fsync=off -c full_page_writes=off -c shared_buffers=16MB`;
  const start = () => run("pg_ctl", ["start", "-w", "-t", "60", "-D", data, "-l", path.join(dir, "server.log"), "-o", options]);
  /** Synchronous: it also runs in the exit handler. */
  const remove = () => {
    if (!fs.existsSync(dir)) return;
    spawnSync(...command("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", data]), { cwd: dir });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A test file that crashes must not leave a server running.
  process.once("exit", remove);

  try {
    await run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
    await start();
  } catch (error) {
    remove();
    throw error;
  }
  const urlOf = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const createDatabase = async (name: string) => {
    const admin = new pg.Client({ connectionString: urlOf("postgres") });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return urlOf(name);
  };
  return {
    url: await createDatabase("atelier"),
    port,
    createDatabase,
    async restart(downMs = 0, whileDown) {
      await run("pg_ctl", ["stop", "-w", "-m", "fast", "-D", data]);
      try {
        await new Promise((resolve) => setTimeout(resolve, downMs));
        await whileDown?.();
      } finally {
        await start();
      }
    },
    async stop() {
      process.removeListener("exit", remove);
      remove();
    },
  };
}

/**
 * The PostgreSQL twin of useFreshDataDir (tests/support/test-db.ts): a cluster with the
 * committed migrations applied, DATABASE_URL pointing at it and a fresh DATA_DIR for the
 * image files. Call before the first use of lib/env (it reads both once); stop() in afterAll.
 */
export async function useFreshPostgres(): Promise<{ cluster: PostgresCluster; url: string; dataDir: string }> {
  const cluster = await startPostgres();
  await migratePostgres(cluster.url);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-unit-"));
  process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
  process.env.DATA_DIR = dataDir;
  process.env.DATABASE_URL = cluster.url;
  return { cluster, url: cluster.url, dataDir };
}
