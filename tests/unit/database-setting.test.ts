import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PG_SCHEMA, postgresSchema, SQLITE_SCHEMA } from "../../scripts/pg-schema.mjs";

describe("the PostgreSQL schema", () => {
  it("is prisma/schema.prisma with the PostgreSQL provider: run `node scripts/pg-schema.mjs <name>` after a model change", () => {
    const expected = postgresSchema(fs.readFileSync(SQLITE_SCHEMA, "utf8"));
    expect(fs.readFileSync(PG_SCHEMA, "utf8")).toBe(expected);
    expect(expected).toContain('provider = "postgresql"');
    expect(expected).not.toContain('provider = "sqlite"');
  });
});

describe("DATABASE_URL", () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  /** A fresh lib/env, which reads the environment once. */
  async function database(url: string | undefined) {
    if (url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = url;
    process.env.DATA_DIR = "/srv/atelier-data";
    vi.resetModules();
    return (await import("@/lib/env")).env().database;
  }

  it("picks SQLite in DATA_DIR when unset or empty, as before", async () => {
    const expected = { dialect: "sqlite", url: "file:/srv/atelier-data/atelier.db" };
    expect(await database(undefined)).toEqual(expected);
    expect(await database("  ")).toEqual(expected);
  });

  it("picks that SQLite file for file:…, relative to the working directory", async () => {
    expect(await database("file:/var/lib/atelier/studio.db")).toEqual({ dialect: "sqlite", url: "file:/var/lib/atelier/studio.db" });
    expect(await database("file:./db/studio.db")).toEqual({ dialect: "sqlite", url: `file:${path.resolve("db/studio.db")}` });
  });

  it("picks PostgreSQL for postgresql:// and postgres://", async () => {
    for (const url of ["postgresql://atelier:s3cret@db.internal:5432/atelier", "postgres://db/atelier?sslmode=require"]) {
      expect(await database(url)).toEqual({ dialect: "postgresql", url });
    }
  });

  it("refuses anything else, naming the setting but never echoing its value", async () => {
    const failure = database("mysql://root:hunter2@db/atelier");
    await expect(failure).rejects.toThrow(/DATABASE_URL: must be file:<path> \(SQLite\) or postgresql:\/\//);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
