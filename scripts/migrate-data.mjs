// `npm run migrate-data -- --from <DATA_DIR>`: copies a SQLite studio's history into PostgreSQL
// and S3 (lib/migrate-data/cli.ts; `--help` says how). It reuses the studio's own TypeScript (its
// settings, storage and Prisma clients) outside Next: jiti, which Prisma's CLI already installs,
// compiles it, with the same aliases as vitest.config.mts ("server-only" is Next's guard only).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createJiti } from "jiti";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const jiti = createJiti(import.meta.url, {
  alias: { "@": root, "server-only": path.join(root, "node_modules/server-only/empty.js") },
  fsCache: true,
});
const { main } = await jiti.import(path.join(root, "lib/migrate-data/cli.ts"));
process.exit(await main(process.argv.slice(2), root));
