/**
 * What a test server keeps, read behind its back, on whichever backends it runs (SQLite or
 * PostgreSQL, the image folder or an S3 bucket), so the API tests hold on both
 * (ATELIER_TEST_BACKEND=scaleout in tests/run.mjs).
 */
import fs from "node:fs";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import Database from "better-sqlite3";
import pg from "pg";
import type { TestServer } from "./server";

type Server = Pick<TestServer, "dataDir" | "env">;

const onPostgres = (server: Server) => /^postgres(ql)?:\/\//.test(server.env.DATABASE_URL ?? "");

/** Rows per table, and stored image files (originals and thumbnails): "nothing left behind" compares two of these. */
export async function storedCounts<T extends string>(server: Server, tables: readonly T[]): Promise<Record<T | "files", number>> {
  return { files: await imageFiles(server), ...(await rowCounts(server, tables)) } as Record<T | "files", number>;
}

/** What GET /api/health answers when every part is up. */
export function healthyParts(server: Server) {
  const pgDb = onPostgres(server);
  return {
    ok: true,
    database: { ok: true, kind: pgDb ? "postgresql" : "sqlite" },
    storage: { ok: true, kind: server.env.S3_BUCKET ? "s3" : "folder" },
    queue: { ok: true, kind: pgDb ? "pg-boss" : "sqlite" },
  };
}

async function rowCounts(server: Server, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (onPostgres(server)) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      for (const t of tables) counts[t] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0]!.n;
    } finally {
      await client.end();
    }
    return counts;
  }
  const db = new Database(path.join(server.dataDir, "atelier.db"), { readonly: true, fileMustExist: true });
  try {
    for (const t of tables) counts[t] = (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
  return counts;
}

async function imageFiles(server: Server): Promise<number> {
  const { S3_BUCKET: bucket, S3_ENDPOINT: endpoint, S3_REGION: region, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = server.env;
  if (!bucket) return countFiles(path.join(server.dataDir, "images"));
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! } });
  try {
    let n = 0;
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      n += page.KeyCount ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return n;
  } finally {
    client.destroy();
  }
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

/** Every value in these tables as one text: a secret stored anywhere in them shows up here. */
export async function storedText(server: Server, tables: readonly string[]): Promise<string> {
  const rows: unknown[] = [];
  if (onPostgres(server)) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      for (const t of tables) rows.push(...(await client.query(`SELECT * FROM "${t}"`)).rows);
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(path.join(server.dataDir, "atelier.db"), { readonly: true, fileMustExist: true });
    try {
      for (const t of tables) rows.push(...db.prepare(`SELECT * FROM "${t}"`).all());
    } finally {
      db.close();
    }
  }
  return JSON.stringify(rows);
}

/** Moves one session's lastSeenAt back by `ms`, as if its browser had been away that long. */
export async function backdateSession(server: Server, id: string, ms: number): Promise<void> {
  if (onPostgres(server)) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(`UPDATE "Session" SET "lastSeenAt" = "lastSeenAt" - make_interval(secs => $2) WHERE id = $1`, [id, ms / 1000]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(path.join(server.dataDir, "atelier.db"), { fileMustExist: true });
  try {
    // Written as Prisma's SQLite adapter writes dates (ISO 8601 with +00:00), so its comparisons hold.
    const { lastSeenAt } = db.prepare(`SELECT "lastSeenAt" FROM "Session" WHERE id = ?`).get(id) as { lastSeenAt: string };
    const moved = new Date(new Date(lastSeenAt).getTime() - ms).toISOString().replace("Z", "+00:00");
    db.prepare(`UPDATE "Session" SET "lastSeenAt" = ? WHERE id = ?`).run(moved, id);
  } finally {
    db.close();
  }
}
