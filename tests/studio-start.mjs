// `npm run studio` as a designer runs it (install, migrate, build, start), until the studio answers
// /api/health with 200 and serves its home page; then stops it the way Ctrl-C does. tests/run.mjs
// runs this as its build step and checks `git status` afterwards.
// With ATELIER_STUDIO_DATA_DIR set, data goes there instead of ./data (a developer's own studio data
// is left alone); on CI nothing is set, as on a fresh clone.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Install and build take minutes on 2 cores; a studio that has not answered by then is broken.
const START_LIMIT_MS = 15 * 60_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, text: await res.text() };
  } catch {
    return null;
  }
}

async function main() {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port) };
  if (process.env.ATELIER_STUDIO_DATA_DIR) env.DATA_DIR = process.env.ATELIER_STUDIO_DATA_DIR;
  console.log(`$ npm run studio (PORT=${port}${env.DATA_DIR ? `, DATA_DIR=${env.DATA_DIR}` : ""})`);
  const child = spawn("npm", ["run", "studio"], { cwd: ROOT, env, stdio: "inherit", detached: true });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_LIMIT_MS;
  let health = null;
  while (Date.now() < deadline && !exited) {
    health = await answers(`${base}/api/health`);
    if (health?.status === 200) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const home = health?.status === 200 ? await answers(base) : null;
  const ok = health?.status === 200 && home?.status === 200 && home.text.includes("Atelier");

  if (!exited) {
    process.kill(-child.pid, "SIGINT");
    const stopped = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      child.on("exit", () => (clearTimeout(timer), resolve(true)));
    });
    if (!stopped) process.kill(-child.pid, "SIGKILL");
  }

  if (ok) console.log(`the studio answered: /api/health 200, / 200`);
  else if (exited) console.error(`npm run studio exited (${exited.signal ?? `code ${exited.code}`}) before the studio answered`);
  else console.error(`the studio did not answer within ${START_LIMIT_MS / 60_000} min: /api/health ${health?.status ?? "no answer"}, / ${home?.status ?? "not asked"}`);
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
