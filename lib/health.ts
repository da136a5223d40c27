import "server-only";
import { db, dialect } from "./db";
import { jobQueue } from "./queue";
import { storage } from "./storage";

/** `reason` is plain words for an operator: never a key, a password or a connection string. */
export type PartHealth = { ok: true; kind: string } | { ok: false; kind: string; reason: string };
export type Health = { ok: boolean; database: PartHealth; storage: PartHealth; queue: PartHealth };

/** A monitor polls this: a part that hangs counts as down rather than holding the answer. */
const CHECK_TIMEOUT_MS = 3_000;

/** One cheap call to each part this instance depends on, all at once. */
export async function checkHealth(): Promise<Health> {
  const [database, images, queue] = await Promise.all([
    probe(dialect(), "the database does not answer", async () => {
      await db().$queryRaw`SELECT 1`;
    }),
    // The storage's own message names what is wrong and is safe to show (lib/storage/types.ts).
    probe(storage().kind, null, () => storage().check()),
    probe(jobQueue().kind, "the job queue does not answer", () => jobQueue().health()),
  ]);
  return { ok: database.ok && images.ok && queue.ok, database, storage: images, queue };
}

async function probe(kind: string, reason: string | null, check: () => Promise<void>): Promise<PartHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, kind };
  } catch (error) {
    return { ok: false, kind, reason: reason ?? (error instanceof Error ? error.message : "unavailable") };
  } finally {
    clearTimeout(timer);
  }
}
