// `npm run user -- add <email> [--admin] | list | remove <email> | reset <email>`: team accounts
// (lib/user-cli.ts; `--help` says how). It reads the .env files `next start` reads, so it talks
// to the studio's own database, and runs the studio's TypeScript through jiti as
// scripts/migrate-data.mjs does ("server-only" is Next's guard only).
import path from "node:path";
import { fileURLToPath } from "node:url";
import nextEnv from "@next/env";
import { createJiti } from "jiti";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
nextEnv.loadEnvConfig(root, false, { info: () => {}, error: console.error });
const jiti = createJiti(import.meta.url, {
  alias: { "@": root, "server-only": path.join(root, "node_modules/server-only/empty.js") },
  fsCache: true,
});
const { main } = await jiti.import(path.join(root, "lib/user-cli.ts"));
process.exit(await main(process.argv.slice(2)));
