import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PG_MIGRATIONS } from "../../scripts/migrate-pg.mjs";
import { startPostgres, type PostgresCluster } from "../support/postgres";

const ROOT = path.resolve(__dirname, "../..");
let cluster: PostgresCluster;
let databases = 0;

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

const freshDatabase = () => cluster.createDatabase(`m${++databases}`);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Tables, columns, indexes, constraints and extensions as PostgreSQL itself describes them. */
async function shape(url: string): Promise<string[]> {
  const columns = await query<{ d: string }>(
    url,
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_atelier_migrations'`,
  );
  const indexes = await query<{ d: string }>(url, `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_atelier_migrations'`);
  const constraints = await query<{ d: string }>(
    url,
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_atelier_migrations'`,
  );
  const extensions = await query<{ d: string }>(url, `SELECT 'extension ' || extname AS d FROM pg_extension`);
  return [...columns, ...indexes, ...constraints, ...extensions].map((row) => row.d).sort();
}

/** A migrations folder of our own, for cases the committed ones cannot show. */
function migrationsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-migrations-"));
  for (const [name, sql] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("PostgreSQL migrations", () => {
  it("`npm run migrate` applies every committed migration to an empty database, and a second run changes nothing", async () => {
    const url = await freshDatabase();
    const migrate = () =>
      execFileSync(process.execPath, ["scripts/migrate.mjs"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
    const committed = fs.readdirSync(PG_MIGRATIONS, { withFileTypes: true }).filter((e) => e.isDirectory()).length;

    expect(migrate()).toContain(`${committed} migration(s) applied`);
    const tables = (await query<{ t: string }>(url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`)).map((r) => r.t);
    expect(tables.sort()).toEqual(["Account", "ApiToken", "Image", "Invite", "Job", "JobInput", "JobOutput", "LoginAttempt", "Session", "Setting", "_atelier_migrations"]);
    const before = await shape(url);

    expect(migrate()).toContain("already up to date");
    expect(await shape(url)).toEqual(before);
    expect(await query(url, `SELECT name FROM "_atelier_migrations"`)).toHaveLength(committed);
  });

  it("the committed migrations build exactly the database prisma/postgresql/schema.prisma describes", async () => {
    const migrated = await freshDatabase();
    await migratePostgres(migrated);
    // What Prisma would create from the schema today: a schema change without its migration differs.
    const direct = await freshDatabase();
    const sql = execFileSync(
      path.join(ROOT, "node_modules/.bin/prisma"),
      ["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/postgresql/schema.prisma", "--script"],
      // Offline: the CLI only reads the schema (in SQLite mode, as PostgreSQL mode refuses the CLI).
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, DATABASE_URL: "", DATA_DIR: os.tmpdir() } },
    );
    // The one thing the schema cannot say without a preview feature: the extension its GIN index's operator class comes from.
    await query(direct, `CREATE EXTENSION pg_trgm; ${sql}`);
    expect(await shape(migrated)).toEqual(await shape(direct));
  });

  it("two instances migrating at once apply each migration once, the second waiting for the first", async () => {
    const url = await freshDatabase();
    // Slow enough that, without the lock, both would see it pending and the second CREATE would fail.
    const dir = migrationsDir({ "001_slow": `SELECT pg_sleep(0.5); CREATE TABLE thing (id INT PRIMARY KEY);`, "002_more": `ALTER TABLE thing ADD COLUMN n INT;` });
    const run = promisify(execFile);
    const script = `import("./scripts/migrate-pg.mjs").then(async (m) => console.log(JSON.stringify(await m.migratePostgres(process.env.URL, { dir: process.env.DIR }))))`;
    const both = await Promise.all(
      [1, 2].map(() => run(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, env: { ...process.env, URL: url, DIR: dir } })),
    );
    const applied = both.map((r) => JSON.parse(r.stdout) as string[]);
    expect(applied.flat().sort()).toEqual(["001_slow", "002_more"]);
    expect(applied.some((names) => names.length === 0)).toBe(true);
    expect((await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM "_atelier_migrations"`))[0]!.n).toBe("2");
    fs.rmSync(dir, { recursive: true });
  });

  it("a failing migration leaves nothing behind and stops the run; an applied one that was edited is refused", async () => {
    const url = await freshDatabase();
    const dir = migrationsDir({ "001_ok": `CREATE TABLE a (id INT);\n`, "002_bad": `CREATE TABLE b (id INT); SELECT 1 / 0;`, "003_later": `CREATE TABLE c (id INT);` });
    await expect(migratePostgres(url, { dir })).rejects.toThrow(/002_bad failed: division by zero/);
    const tables = async () => (await query<{ t: string }>(url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`)).map((r) => r.t).sort();
    expect(await tables()).toEqual(["_atelier_migrations", "a"]);

    fs.writeFileSync(path.join(dir, "002_bad", "migration.sql"), `CREATE TABLE b (id INT);`);
    expect(await migratePostgres(url, { dir })).toEqual(["002_bad", "003_later"]);
    expect(await tables()).toEqual(["_atelier_migrations", "a", "b", "c"]);

    fs.writeFileSync(path.join(dir, "001_ok", "migration.sql"), `CREATE TABLE a (id BIGINT);`);
    await expect(migratePostgres(url, { dir })).rejects.toThrow(/001_ok was changed after it was applied/);
    // Line endings alone are no edit (a Windows checkout).
    fs.writeFileSync(path.join(dir, "001_ok", "migration.sql"), `CREATE TABLE a (id INT);\r\n`);
    expect(await migratePostgres(url, { dir })).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });
});
