// `npm run smoke -- <provider>`: one small REAL job through the whole studio (production
// build, worker, provider, storage) when that provider's key is set. Not part of `npm test`:
// it needs the network and costs money. Skips, saying so, when the key is missing.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KEYS = {
  therouter: "THEROUTER_API_KEY",
  dmxapi: "DMXAPI_API_KEY",
  modelverse: "MODELVERSE_API_KEY",
  quickrouter: "QUICKROUTER_API_KEY",
};
const provider = process.argv[2];
if (!(provider in KEYS)) {
  console.error(`usage: npm run smoke -- <${Object.keys(KEYS).join("|")}>`);
  process.exit(2);
}
const keyVar = KEYS[provider];
if (!process.env[keyVar]) {
  console.log(`SKIPPED: ${keyVar} is not set, so no real ${provider} job was sent.`);
  process.exit(0);
}

process.chdir(ROOT);
if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
  if (spawnSync("npx", ["next", "build"], { stdio: "inherit" }).status !== 0) process.exit(1);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `atelier-smoke-${provider}-`));
if (spawnSync("npx", ["prisma", "migrate", "deploy"], { stdio: "inherit", env: { ...process.env, DATA_DIR: dataDir } }).status !== 0) {
  process.exit(1);
}
const port = await new Promise((resolve) => {
  const srv = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});
const url = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
  env: { ...process.env, DATA_DIR: dataDir },
  stdio: ["ignore", "inherit", "inherit"],
});
const stop = (code) => {
  server.kill("SIGTERM");
  process.exit(code);
};

try {
  for (let i = 0; ; i++) {
    if (i > 120) throw new Error("the studio did not start");
    const ok = await fetch(`${url}/api/providers`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const started = Date.now();
  const response = await fetch(`${url}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider, prompt: "A small red ceramic cup on a white table, soft studio light", aspectRatio: "1:1" }),
  });
  let job = await response.json();
  if (!response.ok) throw new Error(`submit refused: ${JSON.stringify(job)}`);
  console.log(`submitted job ${job.id} to ${provider} (${job.model}), seed ${job.seed}`);
  while (job.status === "queued" || job.status === "running") {
    if (Date.now() - started > 10 * 60_000) throw new Error("no result after 10 minutes");
    await new Promise((r) => setTimeout(r, 3000));
    job = await (await fetch(`${url}/api/jobs/${job.id}`)).json();
    process.stdout.write(`  ${job.status} after ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  if (job.status !== "succeeded") throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
  const out = job.outputs[0];
  console.log(`PASSED: ${out.width}×${out.height} image stored in ${dataDir} (cost ${job.costUsd ?? "not published"} USD)`);
  stop(0);
} catch (error) {
  console.error(`FAILED: ${error.message}`);
  stop(1);
}
