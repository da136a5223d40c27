// `npm run backup -- <folder>`: a consistent snapshot of the embedded setup, safe while the
// studio runs. The database comes first, through SQLite's online backup API (consistent under
// concurrent writers in WAL mode); then the image files its Image rows name. Those files are
// content-addressed and never rewritten, so copying them after the snapshot copies exactly what
// the snapshot refers to; files written later belong to rows the snapshot does not have.
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DB_NAME, embeddedSetup, fail, isEmptyFolder, MANIFEST, sha256 } from "./data-folder.mjs";

const target = process.argv[2];
if (!target) fail("Usage: npm run backup -- <folder>   (a new or empty folder)");
const { dataDir, dbFile, imagesDir } = embeddedSetup("backup");
const folder = path.resolve(process.cwd(), target);
if (!isEmptyFolder(folder)) fail(`${folder} is not empty: a backup goes into a new or empty folder.`);
if (!fs.existsSync(dbFile)) fail(`No database at ${dbFile}: is DATA_DIR (${dataDir}) right?`);
fs.mkdirSync(folder, { recursive: true });

const source = new Database(dbFile, { fileMustExist: true });
source.pragma("busy_timeout = 10000");
await source.backup(path.join(folder, DB_NAME));
source.close();

const snapshot = new Database(path.join(folder, DB_NAME), { readonly: true });
const images = snapshot.prepare(`SELECT "path", "thumbPath" FROM "Image"`).all();
const jobs = snapshot.prepare(`SELECT COUNT(*) AS n FROM "Job"`).get().n;
const migrations = snapshot
  .prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`)
  .all()
  .map((row) => row.migration_name);
snapshot.close();

const keys = [...new Set(images.flatMap((row) => [row.path, row.thumbPath]))].sort();
const files = [];
const missing = [];
for (const key of keys) {
  let bytes;
  try {
    bytes = fs.readFileSync(path.join(imagesDir, key));
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    missing.push(key);
    continue;
  }
  const to = path.join(folder, "images", key);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, bytes);
  files.push({ key, bytes: bytes.length, sha256: sha256(bytes) });
}
if (missing.length > 0) {
  // A file the snapshot names went away (deleted by hand, or its image removed just after the
  // snapshot). A backup without it would restore broken images, so none is left behind: run again.
  fs.rmSync(folder, { recursive: true, force: true });
  fail(`Backup failed: ${missing.length} image file(s) the database names are missing:\n${missing.map((k) => `  images/${k}`).join("\n")}\nNothing was kept; run the backup again.`);
}

const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8"));
const dbBytes = fs.readFileSync(path.join(folder, DB_NAME));
const manifest = {
  app: pkg.name,
  version: pkg.version,
  createdAt: new Date().toISOString(),
  migrations,
  counts: { images: images.length, jobs, files: files.length },
  database: { file: DB_NAME, bytes: dbBytes.length, sha256: sha256(dbBytes) },
  files,
};
fs.writeFileSync(path.join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`Backup written to ${folder}: ${jobs} job(s), ${images.length} image(s), ${files.length} file(s).`);
