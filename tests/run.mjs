// The whole `npm test`: Chromium and PostgreSQL check, `npm run studio` (which builds), typecheck, Vitest (unit + API, then the API
// suite again on PostgreSQL + S3), Playwright, stress.
// Ends with one line "N passed, N failed"; exits non-zero when anything failed or nothing ran.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "node_modules/.bin");
const CHROMIUM = "/usr/bin/chromium";
// Same lookup as tests/support/postgres.ts: Debian's server packages, version 15 or newer.
const PG_ROOT = "/usr/lib/postgresql";
const PG_MIN = 15;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-run-"));
const totals = { passed: 0, failed: 0, tests: 0 };

process.chdir(ROOT);
delete process.env.NEXT_DIST_DIR; // build into and test the default .next
process.env.NEXT_TELEMETRY_DISABLED = "1";

function heading(title) {
  console.log(`\n=== ${title} ${"=".repeat(Math.max(3, 70 - title.length))}`);
}

function run(cmd, args, extraEnv = {}) {
  console.log(`$ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...extraEnv } });
  if (r.error) console.error(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

function postgresBinDir() {
  const versions = fs.existsSync(PG_ROOT) ? fs.readdirSync(PG_ROOT).map(Number).filter((v) => v >= PG_MIN) : [];
  const bin = versions.sort((a, b) => b - a).map((v) => path.join(PG_ROOT, String(v), "bin"))[0];
  return bin && fs.existsSync(path.join(bin, "initdb")) ? bin : undefined;
}

/** A step that is one test: pass or fail. */
function check(ok, label) {
  if (ok) totals.passed++;
  else {
    totals.failed++;
    console.error(`FAILED: ${label}`);
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function finish(code) {
  heading("Summary");
  fs.rmSync(tmp, { recursive: true, force: true });
  if (totals.tests === 0) console.error("No tests ran.");
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exit(code || totals.failed > 0 || totals.tests === 0 ? 1 : 0);
}

/** API test files left out of the PostgreSQL + S3 run, and why (printed with the run). */
const SQLITE_ONLY = {
  "tests/api/storage-s3.test.ts": "compares bucket storage with folder storage, both on SQLite, and reads the SQLite file itself",
  "tests/api/bench-smoke.test.ts": "bench/run.mjs starts servers of its own, which the switch does not reach: it would only repeat the first run",
  "tests/api/backup.test.ts": "backs up and restores the embedded setup (SQLite and a folder), which is what the scripts are for: it would only repeat the first run",
};

/** One Vitest run with a JSON report, its results added to the totals under `label`. */
function runVitest(label, args, extraEnv = {}) {
  const json = path.join(tmp, `${label.replace(/\W+/g, "-")}.json`);
  const code = run(path.join(BIN, "vitest"), ["run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${json}`], extraEnv);
  const v = readJson(json);
  if (!v) {
    console.error(`${label} wrote no JSON report.`);
    return check(false, label);
  }
  const passed = v.numPassedTests ?? 0;
  // Skipped and todo tests count as failures: the suite allows none.
  let failed = (v.numFailedTests ?? 0) + (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  if (failed === 0 && (code !== 0 || (v.numFailedTestSuites ?? 0) > 0)) failed = Math.max(1, v.numFailedTestSuites ?? 0);
  totals.passed += passed;
  totals.failed += failed;
  totals.tests += passed + failed;
  console.log(`${label}: ${passed} passed, ${failed} failed`);
}

const statusAtStart = gitStatus();

function main() {
  heading("1. Chromium and PostgreSQL");
  if (fs.existsSync(CHROMIUM)) {
    console.log(`found ${CHROMIUM}`);
  } else if (process.getuid?.() === 0) {
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "chromium"], { DEBIAN_FRONTEND: "noninteractive" });
    if (!fs.existsSync(CHROMIUM)) {
      console.error(`apt-get did not install ${CHROMIUM}.`);
      return finish(1);
    }
  } else {
    console.error(`${CHROMIUM} is missing. Install Debian's chromium package: sudo apt-get install -y chromium`);
    return finish(1);
  }

  // The PostgreSQL suite (tests/pg) starts its own throwaway cluster from these binaries.
  if (postgresBinDir()) {
    console.log(`found PostgreSQL in ${postgresBinDir()}`);
  } else if (process.getuid?.() === 0) {
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "postgresql"], { DEBIAN_FRONTEND: "noninteractive" });
    if (!postgresBinDir()) console.error("apt-get did not install PostgreSQL: the PostgreSQL suite will fail, saying it did not run.");
  } else {
    console.error(`No PostgreSQL ${PG_MIN}+ under ${PG_ROOT}: the PostgreSQL suite will fail, saying it did not run. Install it: sudo apt-get install -y postgresql`);
  }

  heading("2. Prisma clients");
  for (const [client, schema] of [["prisma", "prisma/schema.prisma"], ["prisma-pg", "prisma/postgresql/schema.prisma"]]) {
    if (fs.existsSync(path.join(ROOT, "lib/generated", client))) console.log(`lib/generated/${client} exists (npm install generated it)`);
    else check(run(path.join(BIN, "prisma"), ["generate", "--schema", schema]) === 0, `prisma generate --schema ${schema}`);
  }

  // The build comes before the typecheck: it writes next-env.d.ts and .next/types, which tsconfig includes.
  // It is `npm run studio` itself, started as on a fresh clone and stopped once it answers; the
  // build it leaves in .next is the one every later step tests.
  heading("3. npm run studio (install, migrate, build, start)");
  const studioData = process.env.CI ? {} : { ATELIER_STUDIO_DATA_DIR: path.join(tmp, "studio-data") };
  const built = run(process.execPath, ["tests/studio-start.mjs"], studioData) === 0;
  check(built, "npm run studio starts and answers");
  totals.tests++;
  checkWorkTree("after npm run studio");

  heading("4. Typecheck (tsc --noEmit)");
  check(run(path.join(BIN, "tsc"), ["--noEmit"]) === 0, "tsc --noEmit");
  if (!built) return finish(1);

  heading("5. Vitest (unit + API)");
  runVitest("vitest", []);

  // The API suite again with every server on its own PostgreSQL database (one throwaway cluster
  // for the run) and its own S3 bucket (s3rver): tests/support/scaleout.ts.
  heading("5b. Vitest API suite on PostgreSQL + S3");
  for (const [file, why] of Object.entries(SQLITE_ONLY)) console.log(`not in this run: ${file} (${why})`);
  runVitest("vitest (PostgreSQL + S3)", ["tests/api", ...Object.keys(SQLITE_ONLY).flatMap((file) => ["--exclude", file])], {
    ATELIER_TEST_BACKEND: "scaleout",
  });

  heading("6. Playwright (end to end)");
  const pwJson = path.join(tmp, "playwright.json");
  const pwCode = run(path.join(BIN, "playwright"), ["test", "-c", "tests/playwright.config.ts", "--reporter=list,json"], {
    PLAYWRIGHT_JSON_OUTPUT_FILE: pwJson,
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
  });
  const p = readJson(pwJson);
  if (!p?.stats) {
    console.error("Playwright wrote no JSON report.");
    check(false, "playwright");
  } else {
    const s = p.stats;
    const passed = s.expected ?? 0;
    let failed = (s.unexpected ?? 0) + (s.flaky ?? 0) + (s.skipped ?? 0);
    // Errors outside tests (global setup, no tests found, a crashed worker) count once.
    if (failed === 0 && (pwCode !== 0 || (p.errors?.length ?? 0) > 0)) failed = 1;
    totals.passed += passed;
    totals.failed += failed;
    totals.tests += passed + failed;
    console.log(`playwright: ${passed} passed, ${failed} failed`);
  }

  // Load (200 jobs at once) and repeated kill -9 restarts; about 2 minutes. Figures go to tests/.artifacts/stress-results.json.
  heading("7. Stress (load and restart loops)");
  runVitest("stress", ["--config", "tests/stress/vitest.stress.mts"]);

  heading("8. Work tree left as it was");
  checkWorkTree("after npm test");
  return finish(0);
}

/** `git status --porcelain`, or null outside a git checkout. */
function gitStatus() {
  const r = spawnSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout : null;
}

/**
 * `npm test` must leave `git status` as it found it. On CI (a fresh clone) that means clean,
 * which also catches an `npm install` that rewrote the lockfile before this script started.
 */
function checkWorkTree(when) {
  const now = gitStatus();
  if (now === null || statusAtStart === null) return console.log("not a git checkout: nothing to compare");
  const expected = process.env.CI ? "" : statusAtStart;
  const lines = (text) => new Set(text.split("\n").filter(Boolean));
  const before = lines(expected);
  const changed = [...lines(now)].filter((line) => !before.has(line));
  const gone = [...before].filter((line) => !lines(now).has(line));
  if (changed.length || gone.length) {
    console.error(`${when}, git status differs from ${process.env.CI ? "a clean tree" : "before the run"}:`);
    for (const line of [...changed, ...gone]) console.error(`  ${line}`);
  } else console.log(`${when}, ${process.env.CI ? "git status is clean" : "git status is as it was before the run"}`);
  totals.tests++;
  check(changed.length === 0 && gone.length === 0, `work tree left as it was ${when}`);
}

try {
  main();
} catch (error) {
  console.error("tests/run.mjs crashed:", error);
  totals.failed++;
  finish(1);
}
