import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { db } from "./db";
import { env } from "./env";
import { storage } from "./storage";

const GRACE_MS = 60 * 60_000;

/**
 * Removes what a crash or a cancel can leave behind: output images no job points at
 * (stored just before a cancel or a kill), half-written temp files, and files with no row.
 * Only things older than an hour, so nothing a running job is about to use, and no file
 * another server process on the same data is writing (a write is renamed into place within
 * seconds, and its row follows). Each delete re-checks in the database, so an image a peer
 * has just attached to a job stays.
 */
export async function sweepOrphans(now = Date.now()): Promise<{ images: number; files: number }> {
  const cutoff = new Date(now - GRACE_MS);
  const unused = { origin: "output", createdAt: { lt: cutoff }, outputOf: { none: {} }, inputOf: { none: {} }, childJobs: { none: {} } };
  const orphans = await db().image.findMany({ where: unused, select: { id: true, path: true, thumbPath: true } });
  let images = 0;
  for (const image of orphans) {
    const { count } = await db().image.deleteMany({ where: { id: image.id, ...unused } });
    if (count === 0) continue;
    images++;
    await storage().delete(image.path);
    await storage().delete(image.thumbPath);
  }
  const known = new Set((await db().image.findMany({ select: { path: true, thumbPath: true } })).flatMap((i) => [i.path, i.thumbPath]));
  const root = path.join(env().dataDir, "images");
  let files = 0;
  for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const key = path.relative(root, full).split(path.sep).join("/");
    if (known.has(key)) continue;
    // Gone meanwhile: a peer's temp file renamed into place, or its own sweep.
    const stat = await fs.stat(full).catch(() => null);
    if (stat && stat.mtimeMs < cutoff.getTime()) {
      await fs.rm(full, { force: true });
      files++;
    }
  }
  return { images, files };
}
