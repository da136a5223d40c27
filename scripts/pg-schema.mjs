// Keeps the PostgreSQL side in step with prisma/schema.prisma, the one schema to edit.
// `node scripts/pg-schema.mjs <migration_name>` after a model change (and its SQLite migration):
// - writes prisma/postgresql/schema.prisma: the same models, another provider and client output;
// - writes the PostgreSQL migration from the previous copy to the new one, as SQL made offline
//   by `prisma migrate diff` (Prisma Migrate cannot reach PostgreSQL through the adapter here);
// - regenerates lib/generated/prisma-pg.
// tests/unit/pg-schema.test.ts fails while the committed copy lags behind, and
// tests/pg/migrations.test.ts while the migrations do not build that schema.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SQLITE_SCHEMA = path.join(ROOT, "prisma/schema.prisma");
export const PG_SCHEMA = path.join(ROOT, "prisma/postgresql/schema.prisma");
const PRISMA = path.join(ROOT, "node_modules/prisma/build/index.js");

const HEADER =
  "// Generated from prisma/schema.prisma by scripts/pg-schema.mjs: edit that file, not this one.\n" +
  "// Migrations for this schema are plain SQL in prisma/postgresql/migrations, applied by scripts/migrate-pg.mjs.\n\n";

/** Swaps one exact line, so a reworded original fails loudly here instead of yielding a SQLite schema in disguise. */
function swap(text, from, to) {
  if (!text.includes(from)) throw new Error(`prisma/schema.prisma no longer contains ${JSON.stringify(from)}: update scripts/pg-schema.mjs`);
  return text.replace(from, to);
}

export function postgresSchema(sqliteSchema) {
  let text = swap(sqliteSchema, 'provider = "sqlite"', 'provider = "postgresql"');
  text = swap(text, 'output     = "../lib/generated/prisma"', 'output     = "../../lib/generated/prisma-pg"');
  // Lines SQLite cannot express (a GIN index), written in the original as `// pg: <line>`.
  text = text.replace(/^(\s*)\/\/ pg: (.*)$/gm, "$1$2");
  return HEADER + text;
}

function prisma(args) {
  // SQLite mode in a scratch folder: PostgreSQL mode refuses the CLI, and a diff needs no database.
  const env = { ...process.env, DATABASE_URL: "", DATA_DIR: os.tmpdir() };
  return execFileSync(process.execPath, [PRISMA, ...args], { cwd: ROOT, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

/** The SQL from one schema text to another; empty when only comments changed. */
function migrationSql(from, to) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-pg-schema-"));
  try {
    fs.writeFileSync(path.join(dir, "from.prisma"), from);
    fs.writeFileSync(path.join(dir, "to.prisma"), to);
    const sql = prisma(["migrate", "diff", "--from-schema-datamodel", path.join(dir, "from.prisma"), "--to-schema-datamodel", path.join(dir, "to.prisma"), "--script"]);
    return /^\s*(--[^\n]*\n?\s*)*$/.test(sql) ? "" : sql;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(name) {
  const next = postgresSchema(fs.readFileSync(SQLITE_SCHEMA, "utf8"));
  const previous = fs.readFileSync(PG_SCHEMA, "utf8");
  if (previous === next) return console.log("prisma/postgresql/schema.prisma is up to date.");
  const sql = migrationSql(previous, next);
  if (sql) {
    if (!name || !/^[a-z0-9_]+$/.test(name)) {
      console.error("The models changed: run again with a migration name (lower case, digits, _), e.g. node scripts/pg-schema.mjs add_tags");
      process.exit(1);
    }
    const migrations = path.join(path.dirname(PG_SCHEMA), "migrations");
    // After every existing one even when a clock is behind: they run in name order.
    const last = fs.readdirSync(migrations).filter((entry) => /^\d{14}_/.test(entry)).sort().at(-1)?.slice(0, 14) ?? "0";
    const now = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const stamp = BigInt(now) > BigInt(last) ? now : String(BigInt(last) + 1n);
    const dir = path.join(migrations, `${stamp}_${name}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "migration.sql"), sql);
    console.log(`wrote ${path.relative(ROOT, dir)}/migration.sql`);
  }
  fs.writeFileSync(PG_SCHEMA, next);
  console.log(`wrote ${path.relative(ROOT, PG_SCHEMA)}`);
  prisma(["generate", "--schema", PG_SCHEMA]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv[2]);
