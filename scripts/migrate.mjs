// `npm run migrate` (also run by `npm run studio` and `npm run dev`): brings the database that
// DATABASE_URL names up to date. SQLite (unset or file:…) through `prisma migrate deploy`,
// which reads the same rule in prisma.config.ts; PostgreSQL through scripts/migrate-pg.mjs.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migratePostgres } from "./migrate-pg.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const url = process.env.DATABASE_URL?.trim();

if (url && /^postgres(ql)?:\/\//.test(url)) {
  try {
    const applied = await migratePostgres(url, { log: (line) => console.log(line) });
    console.log(applied.length ? `PostgreSQL: ${applied.length} migration(s) applied.` : "PostgreSQL: already up to date.");
  } catch (error) {
    // The message only: a connection error can quote the URL, password included.
    console.error(`PostgreSQL migration failed: ${error.message.replaceAll(url, "<DATABASE_URL>")}`);
    process.exit(1);
  }
} else {
  const prisma = path.join(ROOT, "node_modules/prisma/build/index.js");
  const result = spawnSync(process.execPath, [prisma, "migrate", "deploy"], { stdio: "inherit", cwd: ROOT });
  process.exit(result.status ?? 1);
}
