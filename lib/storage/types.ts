/**
 * Where image bytes live: a local folder (the default) or an S3-compatible bucket, behind
 * the same calls, so callers never know which. Keys are relative, slash-separated.
 */
export interface Storage {
  /** For /api/health: "folder" or "s3". */
  readonly kind: "folder" | "s3";
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** A cheap call that fails when the storage cannot be used; its message is safe to show. */
  check(): Promise<void>;
}

const KEY_PATTERN = /^[a-z0-9]+(\/[a-z0-9]+)*\.[a-z0-9]+$/;

/** Keys are built by us from hex digests; refuse anything else, so no key escapes its root. */
export function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`Invalid storage key: ${key}`);
  return key;
}
