// Shared by `npm run backup` and `npm run restore`: where the embedded setup keeps its data,
// resolved by the same rule as lib/env.ts and lib/database-url.ts (DATA_DIR, default ./data
// relative to the working directory; DATABASE_URL=file:<path> moves the database).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const MANIFEST = "manifest.json";
export const DB_NAME = "atelier.db";

/** The data folder and database file, or an exit with a pointer to the README for the scale-out setups. */
export function embeddedSetup(command) {
  const url = process.env.DATABASE_URL?.trim();
  const problems = [];
  if (url && !url.startsWith("file:")) problems.push("DATABASE_URL names a PostgreSQL database: back it up with pg_dump / pg_restore.");
  if (process.env.S3_BUCKET?.trim()) problems.push("S3_BUCKET is set: the images live in the bucket; protect them with bucket versioning or replication.");
  if (problems.length > 0) {
    console.error(`npm run ${command} handles the embedded setup (SQLite + DATA_DIR/images) only.\n${problems.join("\n")}\nSee README.md, "The data folder".`);
    process.exit(1);
  }
  const dataDir = path.resolve(process.cwd(), process.env.DATA_DIR || "data");
  const dbFile = url ? path.resolve(process.cwd(), url.slice(5)) : path.join(dataDir, DB_NAME);
  return { dataDir, dbFile, imagesDir: path.join(dataDir, "images") };
}

export const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** True when the folder is missing or holds nothing. */
export function isEmptyFolder(dir) {
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}

export function fail(message) {
  console.error(message);
  process.exit(1);
}
