import "server-only";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { S3Settings } from "../env";
import { AppError } from "../errors";
import { checkKey, IMAGE_PREFIXES, isKey, type Storage, type StoredKey } from "./types";

const CONNECT_TIMEOUT_MS = 3_000;
/** No byte either way for this long means the server is gone, even in the middle of a large transfer. */
const IDLE_TIMEOUT_MS = 20_000;
const CHECK_TIMEOUT_MS = 3_000;

/** Image bytes in an S3-compatible bucket (AWS, MinIO, R2, …), under the same keys as the folder. */
export class S3Storage implements Storage {
  readonly kind = "s3";
  private readonly client: S3Client;
  private readonly bucket: string;

  /** `pageSize`: keys per ListObjectsV2 call (S3 answers at most 1000). */
  constructor(
    settings: S3Settings,
    private readonly pageSize = 1000,
  ) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Checksums only where S3 demands them: some compatible servers store a checksum trailer as part of the object.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // One retry, short timeouts: an unreachable bucket is answered within seconds (503,
      // storage_failed), not after minutes of backoff while the designer waits.
      maxAttempts: 2,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: IDLE_TIMEOUT_MS },
    });
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    // A Buffer, never a stream: its length is known, so nothing is chunk-encoded.
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: checkKey(key), Body: bytes, ContentLength: bytes.length });
    await this.client.send(command).catch(unavailable);
  }

  async get(key: string): Promise<Buffer> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      const bytes = await answer.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      // A missing object is our bug or lost data (as a missing file is), not an outage.
      if (isNotFound(error)) throw new Error(`No object ${key} in the bucket`, { cause: error });
      return unavailable(error);
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkKey(key) })).catch(unavailable);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      return unavailable(error);
    }
  }

  async *list(): AsyncIterable<StoredKey> {
    for (const prefix of IMAGE_PREFIXES) {
      let token: string | undefined;
      do {
        const command = new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: this.pageSize, ContinuationToken: token });
        const page = await this.client.send(command).catch(unavailable);
        for (const object of page.Contents ?? []) {
          if (object.Key && object.LastModified && isKey(object.Key)) yield { key: object.Key, modified: object.LastModified };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    } catch (error) {
      throw new Error(reason(error), { cause: error });
    }
  }
}

const isNotFound = (error: unknown) =>
  error instanceof S3ServiceException && (error.name === "NoSuchKey" || error.name === "NotFound" || error.$metadata.httpStatusCode === 404);

function unavailable(error: unknown): never {
  throw new AppError("storage_unavailable", "Image storage cannot be reached right now. Try again in a moment.", { cause: error });
}

/** Why the bucket cannot be used, in plain words: no endpoint, key or address. */
function reason(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    if (status === 403) return "the bucket refused the credentials";
    if (status === 404) return "the bucket does not exist";
    return `the storage server answered HTTP ${status ?? "with an error"}`;
  }
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return "the storage server did not answer in time";
  return "the storage server cannot be reached";
}
