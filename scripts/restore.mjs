// `npm run restore -- <folder>`: brings a backup made by `npm run backup` back into an empty
// DATA_DIR. Every file is checked against the manifest's SHA-256 as it is copied; on any
// mismatch the restore stops, names the file and removes what it had written.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { embeddedSetup, fail, isEmptyFolder, MANIFEST, sha256 } from "./data-folder.mjs";

const from = process.argv[2];
if (!from) fail("Usage: npm run restore -- <backup folder>   (into an empty DATA_DIR; stop the studio first)");
const { dataDir, dbFile, imagesDir } = embeddedSetup("restore");
const folder = path.resolve(process.cwd(), from);
let manifest;
try {
  manifest = JSON.parse(fs.readFileSync(path.join(folder, MANIFEST), "utf8"));
} catch {
  fail(`${path.join(folder, MANIFEST)} is missing or unreadable: is ${folder} a backup made by npm run backup?`);
}
if (!isEmptyFolder(dataDir)) fail(`${dataDir} (DATA_DIR) is not empty: restore goes into an empty data folder.`);
if (fs.existsSync(dbFile)) fail(`${dbFile} (DATABASE_URL) already exists: restore will not overwrite a database.`);

const written = [];
function restore(name, expected, to) {
  let bytes;
  try {
    bytes = fs.readFileSync(path.join(folder, name));
  } catch {
    bytes = undefined;
  }
  if (!bytes || sha256(bytes) !== expected) {
    for (const file of written) fs.rmSync(file, { force: true });
    fs.rmSync(imagesDir, { recursive: true, force: true });
    fail(`Restore failed: ${name} in ${folder} is ${bytes ? "damaged (its SHA-256 differs from the manifest)" : "missing"}. Nothing was restored.`);
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, bytes);
  written.push(to);
}

for (const file of manifest.files) restore(path.join("images", file.key), file.sha256, path.join(imagesDir, file.key));
restore(manifest.database.file, manifest.database.sha256, dbFile);

const known = fs.readdirSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../prisma/migrations")).filter((name) => /^\d/.test(name));
const pending = known.filter((name) => !manifest.migrations.includes(name));
const { images, jobs, files } = manifest.counts;
console.log(`Restored ${jobs} job(s), ${images} image(s), ${files} file(s) from the backup of ${manifest.createdAt} into ${dataDir}; every file matches the manifest.`);
if (pending.length > 0) console.log(`The backup predates ${pending.length} migration(s): npm run migrate (or npm run studio) brings it up to date.`);
