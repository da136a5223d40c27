/**
 * `npm run backup` while the studio works, then `npm run restore` into a fresh folder: a second
 * server on the restored folder shows every job the backup holds and the very same image bytes.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gradientPng } from "../support/fixtures";
import { createJob, download, getJson, migrate, ROOT, startServer, type TestServer, uploadOk } from "../support/server";
import { sleep } from "../support/wait";

const servers: TestServer[] = [];
const folders: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atelier-backup-"));
  folders.push(dir);
  return dir;
}

/** Runs one of the scripts the way `npm run` does, without blocking the load loop. */
function run(script: "backup" | "restore", folder: string, env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, `scripts/${script}.mjs`), folder], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: undefined, S3_BUCKET: undefined, ...env },
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

/** The embedded setup in any test run (a server given its own folder gets no PostgreSQL or S3). */
async function embeddedServer(env: Record<string, string>, dataDir?: string): Promise<TestServer> {
  if (!dataDir) {
    dataDir = tmp();
    migrate(dataDir);
  }
  const server = await startServer({ dataDir, ownsDataDir: false, env });
  servers.push(server);
  return server;
}

describe("backup and restore", () => {
  it("restores a snapshot taken under load, job for job and byte for byte", async () => {
    const original = await embeddedServer({ DEMO_DELAY_MS: "50" });
    const first = await uploadOk(original.url, await gradientPng(320, 240, 1));

    const backupDir = path.join(tmp(), "backup");
    let backup: ReturnType<typeof run> | undefined;
    for (let i = 0; i < 20; i++) {
      if (i % 4 === 0) await uploadOk(original.url, await gradientPng(200 + i, 160, i + 2));
      const edit = i % 2 === 1;
      await createJob(original.url, { prompt: `load ${i}`, seed: i, ...(edit ? { inputImageIds: [first] } : { aspectRatio: "1:1" }) });
      if (i === 8) backup = run("backup", backupDir, { DATA_DIR: original.dataDir });
      await sleep(40);
    }
    const made = await backup!;
    expect(made.code, made.out).toBe(0);

    const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, "manifest.json"), "utf8"));
    const snapshot = new Database(path.join(backupDir, "atelier.db"), { readonly: true });
    const jobs = snapshot.prepare(`SELECT id, status, prompt, seed, mode, aspectRatio FROM "Job"`).all() as Record<string, unknown>[];
    const outputs = snapshot.prepare(`SELECT jobId, imageId FROM "JobOutput" ORDER BY jobId, position`).all() as { jobId: string; imageId: string }[];
    const images = (snapshot.prepare(`SELECT id FROM "Image"`).all() as { id: string }[]).map((r) => r.id);
    snapshot.close();
    expect(jobs.length).toBeGreaterThanOrEqual(9);
    expect(manifest.counts).toMatchObject({ jobs: jobs.length, images: images.length });
    expect(outputs.length).toBeGreaterThan(0);

    const restoredDir = tmp();
    const restored = await run("restore", backupDir, { DATA_DIR: restoredDir });
    expect(restored.code, restored.out).toBe(0);
    const copy = await embeddedServer({ ATELIER_WORKER: "off" }, restoredDir);

    for (const job of jobs) {
      const { status, body } = await getJson(`${copy.url}/api/jobs/${job.id}`);
      expect(status).toBe(200);
      expect(body).toMatchObject(job);
      const outputIds = outputs.filter((o) => o.jobId === job.id).map((o) => o.imageId);
      expect(body.outputs.map((o: { imageId: string }) => o.imageId)).toEqual(outputIds);
    }
    for (const id of images) {
      for (const variant of ["", "?variant=thumb"]) {
        const was = await download(original.url, `/api/images/${id}${variant}`);
        const now = await download(copy.url, `/api/images/${id}${variant}`);
        expect(now.res.status, `${id}${variant}`).toBe(200);
        expect(Buffer.from(now.bytes).equals(Buffer.from(was.bytes)), `${id}${variant}`).toBe(true);
      }
    }

    // A non-empty target is refused both ways: the backup folder, and a DATA_DIR in use.
    const again = await run("backup", backupDir, { DATA_DIR: original.dataDir });
    expect(again.code).not.toBe(0);
    expect(again.out).toMatch(/not empty/);
    const over = await run("restore", backupDir, { DATA_DIR: original.dataDir });
    expect(over.code).not.toBe(0);
    expect(over.out).toMatch(/not empty/);

    // One damaged image file: the restore fails, names it and leaves the folder empty.
    const damaged = path.join(tmp(), "damaged");
    fs.cpSync(backupDir, damaged, { recursive: true });
    const victim = manifest.files[manifest.files.length - 1].key as string;
    const file = path.join(damaged, "images", victim);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const intoDir = tmp();
    const broken = await run("restore", damaged, { DATA_DIR: intoDir });
    expect(broken.code).not.toBe(0);
    expect(broken.out).toContain(`images/${victim}`);
    expect(fs.readdirSync(intoDir)).toEqual([]);

    // PostgreSQL and S3 setups are pointed at their own tools.
    const pg = await run("backup", path.join(tmp(), "pg"), { DATABASE_URL: "postgresql://u:p@127.0.0.1:1/x" });
    expect(pg.code).not.toBe(0);
    expect(pg.out).toMatch(/pg_dump/);
    const s3 = await run("restore", backupDir, { DATA_DIR: tmp(), S3_BUCKET: "photos" });
    expect(s3.code).not.toBe(0);
    expect(s3.out).toMatch(/bucket versioning/);
  }, 150_000);
});
