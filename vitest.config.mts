import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Outside Next there is no react-server condition; the guard itself is what we skip.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/api/**/*.test.ts", "tests/pg/**/*.test.ts"],
    environment: "node",
    setupFiles: ["tests/support/vitest-setup.ts"],
    // The API suite's second run (tests/run.mjs) on PostgreSQL and S3: one cluster for the run.
    globalSetup: process.env.ATELIER_TEST_BACKEND === "scaleout" ? ["tests/support/scaleout.ts"] : [],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
    // s3rver (tests/support/s3.ts) seals ListObjectsV2 continuation tokens with DES, which
    // OpenSSL 3 keeps in its legacy provider: without it, a listing longer than a page answers 500.
    execArgv: ["--openssl-legacy-provider"],
  },
});
