import "server-only";
import { db } from "./db";
import { storage } from "./storage";

const GRACE_MS = 60 * 60_000;

/**
 * Removes what a crash or a cancel can leave behind: output images no job points at
 * (stored just before a cancel or a kill), half-written temp files, and stored bytes with no
 * row (the row write failed after the bytes were stored), in the folder or the bucket alike.
 * Only things older than an hour, so nothing a running job is about to use, and no key
 * another server process is writing (its bytes are stored within seconds, and its row
 * follows). Each delete re-checks in the database, so an image a peer has just attached to a
 * job stays.
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
  let files = 0;
  for await (const { key, modified } of storage().list()) {
    if (known.has(key) || modified.getTime() >= cutoff.getTime()) continue;
    // Re-checked: the same bytes uploaded meanwhile are stored again under this key, then get a row.
    const sha256 = key.slice(key.lastIndexOf("/") + 1).split(".")[0]!;
    const row = await db().image.findUnique({ where: { sha256 }, select: { path: true, thumbPath: true } });
    if (row?.path === key || row?.thumbPath === key) continue;
    await storage().delete(key);
    files++;
  }
  return { images, files };
}
