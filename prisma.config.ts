import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { DATABASE_URL_HINT, DATABASE_URL_PATTERN, databaseTarget } from "./lib/database-url";

// Without these the CLI tries to download Rust engines, which this network forbids;
// with them it uses the bundled WASM schema engine.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/dev/null";
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= "/dev/null";

// Same rule as lib/env.ts (lib/database-url.ts).
const value = process.env.DATABASE_URL?.trim();
if (value && !DATABASE_URL_PATTERN.test(value)) throw new Error(`DATABASE_URL ${DATABASE_URL_HINT}`);
const target = databaseTarget(value, path.resolve(process.env.DATA_DIR || "data"));
if (target.dialect === "sqlite") {
  fs.mkdirSync(path.dirname(target.url.slice("file:".length)), { recursive: true });
  process.env.DATABASE_URL = target.url;
}

export default defineConfig({
  // `prisma generate` names its schema (package.json "postinstall" makes both clients).
  schema: target.dialect === "sqlite" ? "prisma/schema.prisma" : "prisma/postgresql/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    // Prisma Migrate cannot reach PostgreSQL through the driver adapter (prisma/prisma#27403).
    if (target.dialect === "postgresql") {
      throw new Error("DATABASE_URL is PostgreSQL: apply its migrations with `npm run migrate` (scripts/migrate.mjs), not the Prisma CLI.");
    }
    return new PrismaBetterSQLite3({ url: target.url });
  },
});
