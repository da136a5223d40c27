import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A fresh data folder with the committed migrations applied by the real Prisma CLI.
 * Call before the first use of lib/env (it reads DATA_DIR lazily, once).
 */
export function useFreshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-unit-"));
  process.env.DATA_DIR = dir;
  // SQLite in that folder, even when the shell running the tests names a PostgreSQL database.
  delete process.env.DATABASE_URL;
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATA_DIR: dir },
    stdio: "pipe",
  });
  return dir;
}
