// The stress suite (issue 5: load and repeated restarts), run by `npm run test:stress` and by
// tests/run.mjs after Playwright. It drives the real production server, so it needs an
// existing build: run `npx next build` first (or `npm test`, which builds). To use a separate
// build, set NEXT_DIST_DIR for both commands:
//   NEXT_DIST_DIR=.next-stress npx next build
//   NEXT_DIST_DIR=.next-stress npx vitest run --config tests/stress/vitest.stress.mts
// Files run one after another (the load test needs the machine to itself); figures go to
// tests/.artifacts/stress-results.json.
import path from "node:path";
import { defineConfig } from "vitest/config";

const ROOT = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  root: ROOT,
  resolve: {
    alias: {
      "@": ROOT,
      "server-only": path.resolve(ROOT, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["tests/stress/**/*.test.ts"],
    environment: "node",
    setupFiles: ["tests/support/vitest-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
