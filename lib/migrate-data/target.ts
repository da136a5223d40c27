import "server-only";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { migratePostgres } from "../../scripts/migrate-pg.mjs";
import { env } from "../env";
import { PrismaClient } from "../generated/prisma-pg/client";
import { storage, type Storage } from "../storage";
import { MigrateDataError } from "./errors";
import { migrationNames } from "./source";

export type Target = {
  db: PrismaClient;
  storage: Storage;
  /** Where the rows and the images go, in words without any password or key. */
  database: string;
  images: string;
  /** Migrations this run applied to the target first. */
  migrated: string[];
};

/**
 * The PostgreSQL database DATABASE_URL names, brought up to this release's schema first (as
 * `npm run migrate` does), and the image storage the S3_* settings name, or DATA_DIR/images.
 */
export async function openTarget(root: string): Promise<Target> {
  const settings = env();
  if (settings.database.dialect !== "postgresql") {
    throw new MigrateDataError("DATABASE_URL must name the target PostgreSQL database (postgresql://user:password@host:5432/db).");
  }
  const url = settings.database.url;
  const migrated = await migratePostgres(url);
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  const committed = migrationNames(path.join(root, "prisma/postgresql/migrations"));
  const applied = await db.$queryRaw<{ name: string }[]>`SELECT name FROM "_atelier_migrations"`;
  const newer = applied.map((row) => row.name).filter((name) => !committed.includes(name));
  if (newer.length > 0) {
    await db.$disconnect();
    throw new MigrateDataError(`The target database was migrated by a newer Atelier (${newer.join(", ")}): run migrate-data from that release.`);
  }
  const { hostname, port, pathname } = new URL(url);
  const s3 = settings.s3;
  return {
    db,
    storage: storage(),
    database: `PostgreSQL ${hostname}${port ? `:${port}` : ""}${pathname}`,
    images: s3 ? `S3 bucket "${s3.bucket}"${s3.endpoint ? ` at ${s3.endpoint}` : ""}` : `the folder ${path.join(settings.dataDir, "images")}`,
    migrated,
  };
}
