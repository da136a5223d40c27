/**
 * Playwright config for the end-to-end specs in tests/e2e.
 *
 * How specs reach the app: tests/support/global-setup.ts starts ONE production server
 * (`next start` on the build in .next, fresh migrated DATA_DIR, DEMO_DELAY_MS=300) before
 * any spec runs, and sets
 *   process.env.ATELIER_TEST_URL       e.g. "http://127.0.0.1:41234" (no trailing slash)
 *   process.env.ATELIER_TEST_DATA_DIR  the server's DATA_DIR (atelier.db, image files)
 * Workers inherit these variables and load this file again, so `use.baseURL` below is that
 * URL: write `page.goto("/")`, `request.get("/api/jobs")`. All specs share the server and
 * its data (workers: 1, files run one after another), so do not assume an empty gallery
 * unless the spec creates what it counts. Set ATELIER_TEST_URL yourself to run the specs
 * against a server you started (the global setup then starts none).
 * Run: `npx playwright test -c tests/playwright.config.ts` after `next build`.
 */
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./.artifacts/test-results",
  globalSetup: "./support/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  use: {
    baseURL: process.env.ATELIER_TEST_URL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    browserName: "chromium",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
