/**
 * Playwright global setup (tests/playwright.config.ts): starts the production server once
 * and exposes it to the specs through ATELIER_TEST_URL and ATELIER_TEST_DATA_DIR.
 * The returned function is the teardown.
 */
import { startServer } from "./server";

export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.ATELIER_TEST_URL) return undefined; // a server chosen by the caller
  const server = await startServer();
  process.env.ATELIER_TEST_URL = server.url;
  process.env.ATELIER_TEST_DATA_DIR = server.dataDir;
  console.log(`[global-setup] Atelier at ${server.url}, DATA_DIR ${server.dataDir}`);
  return async () => {
    await server.stop();
  };
}
