import "server-only";
import path from "node:path";
import { env } from "../env";
import { LocalStorage } from "./local";
import { S3Storage } from "./s3";
import type { Storage } from "./types";

export type { Storage } from "./types";

let instance: Storage | undefined;

/** This process's storage: the S3 bucket when S3_BUCKET is set, else DATA_DIR/images. */
export function storage(): Storage {
  const { s3, dataDir } = env();
  instance ??= s3 ? new S3Storage(s3) : new LocalStorage(path.join(dataDir, "images"));
  return instance;
}
