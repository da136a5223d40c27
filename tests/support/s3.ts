/**
 * A real S3-compatible server for tests: s3rver in this process, on a free port, over a temp
 * folder, with one bucket. stop() and start() take it away and bring it back on the same port
 * with the same objects (S3 unreachable, then back). Pass `env` to the server under test.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { S3Settings } from "@/lib/env";
import { freePort } from "./server";

export type TestS3 = {
  /** S3_* settings for startServer({ env }). */
  env: Record<string, string>;
  /** The same, as lib/storage/s3.ts takes them. */
  settings: S3Settings;
  /** Closes the port: every call gets "connection refused" until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop() and remove the folder. */
  close(): Promise<void>;
};

const BUCKET = "atelier-test";
// s3rver's built-in account; it checks signatures against it.
const KEY = "S3RVER";

export async function startS3(): Promise<TestS3> {
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), "atelier-s3-"));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let running: S3rver | undefined;

  const start = async () => {
    if (running) return;
    const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
    await server.run();
    running = server;
  };
  const stop = async () => {
    if (!running) return;
    const server = running;
    running = undefined;
    // Keep-alive sockets of the client would otherwise keep the server half alive.
    server.httpServer.closeAllConnections();
    await server.close();
  };
  await start();
  return {
    env: {
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: KEY,
      S3_SECRET_ACCESS_KEY: KEY,
      S3_FORCE_PATH_STYLE: "1",
    },
    settings: {
      bucket: BUCKET,
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: KEY, secretAccessKey: KEY },
      forcePathStyle: true,
    },
    stop,
    start,
    async close() {
      await stop();
      await fs.promises.rm(directory, { recursive: true, force: true });
    },
  };
}
