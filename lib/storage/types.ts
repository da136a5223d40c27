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
  /**
   * Every key under IMAGE_PREFIXES, with when it was last written, page by page: for the
   * orphan sweep. Names we never build are left out, so nothing else in a shared bucket is touched.
   */
  list(): AsyncIterable<StoredKey>;
}

export type StoredKey = { key: string; modified: Date };

/** Where our keys live: originals/ab/<sha256>.<ext> and thumbs/ab/<sha256>.webp. */
export const IMAGE_PREFIXES = ["originals/", "thumbs/"] as const;

// Several dotted suffixes: a folder write's temp file (…png.<hex>.tmp) is a key too, so the sweep can remove it.
const KEY_PATTERN = /^[a-z0-9]+(\/[a-z0-9]+)*(\.[a-z0-9]+)+$/;

export const isKey = (key: string): boolean => KEY_PATTERN.test(key);

/** Keys are built by us from hex digests; refuse anything else, so no key escapes its root. */
export function checkKey(key: string): string {
  if (!isKey(key)) throw new Error(`Invalid storage key: ${key}`);
  return key;
}
