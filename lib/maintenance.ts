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
 * Only things older than an hour, so nothing a running job is about to use.
 */
export async function sweepOrphans(now = Date.now()): Promise<{ images: number; files: number }> {
  const cutoff = new Date(now - GRACE_MS);
  const orphans = await db().image.findMany({
    where: { origin: "output", createdAt: { lt: cutoff }, outputOf: { none: {} }, inputOf: { none: {} }, childJobs: { none: {} } },
    select: { id: true, path: true, thumbPath: true },
  });
  for (const image of orphans) {
    await db().image.delete({ where: { id: image.id } });
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
    const { mtimeMs } = await fs.stat(full);
    if (mtimeMs < cutoff.getTime()) {
      await fs.rm(full, { force: true });
      files++;
    }
  }
  return { images: orphans.length, files };
}
