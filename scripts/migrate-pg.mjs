// Applies prisma/postgresql/migrations/*/migration.sql to a PostgreSQL database, in name order.
// Prisma Migrate cannot talk to PostgreSQL through the driver adapter (prisma/prisma#27403),
// so the SQL it wrote offline is applied here, over `pg`:
// - one transaction per migration, recorded in "_atelier_migrations" with a checksum, so a
//   failed migration leaves nothing half done and an edited one is refused;
// - under a session advisory lock, so instances started together apply each migration once.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PG_MIGRATIONS = path.join(ROOT, "prisma/postgresql/migrations");
/** Any fixed number: every Atelier instance must use the same one. */
const LOCK_KEY = 4_182_013;

/** Line endings are normalised, so a checkout with CRLF does not count as an edit. */
const checksum = (sql) => crypto.createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");

function readMigrations(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksum(sql) };
    });
}

/**
 * Brings the database up to date. Returns the names it applied (none when it already was).
 * Throws when an applied migration's file changed since: the database may not match the code.
 * Migrations the database has and this checkout lacks (a newer release applied them) are left alone.
 */
export async function migratePostgres(connectionString, { dir = PG_MIGRATIONS, log = () => {} } = {}) {
  const migrations = readMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    // Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
    await client.query(`CREATE TABLE IF NOT EXISTS "_atelier_migrations" (
      name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query(`SELECT name, checksum FROM "_atelier_migrations"`);
    const applied = new Map(rows.map((row) => [row.name, row.checksum]));
    const done = [];
    for (const migration of migrations) {
      const known = applied.get(migration.name);
      if (known !== undefined) {
        if (known !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied: add a new migration instead of editing it.`);
        }
        continue;
      }
      log(`applying ${migration.name}`);
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO "_atelier_migrations" (name, checksum) VALUES ($1, $2)`, [migration.name, migration.checksum]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${migration.name} failed: ${error.message}`, { cause: error });
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    // Ending the session releases the lock too; unlocking first frees a waiting peer sooner.
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
