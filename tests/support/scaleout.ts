/**
 * The API suite on the scale-out backends (ATELIER_TEST_BACKEND=scaleout, see tests/run.mjs):
 * PostgreSQL and S3 instead of SQLite and a folder.
 * - The default export is Vitest's global setup (vitest.config.mts adds it in this mode): one
 *   throwaway cluster for the whole run, named to the test processes in ATELIER_TEST_PG_URL.
 * - scaleOutBackend() gives one server (tests/support/server.ts) a database of its own on that
 *   cluster and an s3rver of its own, so files never see each other's rows or objects.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startPostgres } from "./postgres";
import { startS3 } from "./s3";

const CLUSTER_URL = "ATELIER_TEST_PG_URL";

export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startPostgres();
  // The maintenance database: new databases are made from there.
  process.env[CLUSTER_URL] = cluster.url.replace(/\/[^/]+$/, "/postgres");
  return () => cluster.stop();
}

async function admin(sql: string): Promise<void> {
  const url = process.env[CLUSTER_URL];
  if (!url) throw new Error(`ATELIER_TEST_BACKEND=scaleout needs the cluster of tests/support/scaleout.ts (vitest.config.mts starts it): ${CLUSTER_URL} is unset.`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function scaleOutBackend(): Promise<{ env: Record<string, string>; release(): Promise<void> }> {
  const name = `api_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const s3 = await startS3().catch(async (error: unknown) => {
    await admin(`DROP DATABASE "${name}"`);
    throw error;
  });
  return {
    env: { DATABASE_URL: process.env[CLUSTER_URL]!.replace(/\/postgres$/, `/${name}`), ...s3.env },
    async release() {
      await s3.close();
      // The server has exited; FORCE only for a connection it left half closed.
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
