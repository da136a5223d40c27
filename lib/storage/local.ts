import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { checkKey, IMAGE_PREFIXES, isKey, type Storage, type StoredKey } from "./types";

/** Image bytes in a folder (DATA_DIR/images): the embedded default. */
export class LocalStorage implements Storage {
  readonly kind = "folder";

  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    return path.join(this.root, checkKey(key));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.resolve(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a crash never leaves a half-written file under the real name.
    const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  }

  get(key: string): Promise<Buffer> {
    return fs.readFile(this.resolve(key));
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return fs.access(this.resolve(key)).then(
      () => true,
      () => false,
    );
  }

  async check(): Promise<void> {
    // The folder is made by the first upload; until then its parent is what must be writable.
    const target = await fs.access(this.root).then(() => this.root, () => path.dirname(this.root));
    await fs.access(target, fs.constants.R_OK | fs.constants.W_OK).catch(() => {
      throw new Error("the image folder is missing or not writable");
    });
  }

  async *list(): AsyncIterable<StoredKey> {
    for (const prefix of IMAGE_PREFIXES) {
      // Streamed, entry by entry: a folder of many thousand images is never held in memory.
      const dir = await fs.opendir(path.join(this.root, prefix), { recursive: true }).catch(() => null);
      if (!dir) continue; // nothing stored there yet
      for await (const entry of dir) {
        if (!entry.isFile()) continue;
        const key = path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
        if (!isKey(key)) continue;
        // Gone meanwhile: a temp file renamed into place, or a peer's sweep.
        const stat = await fs.stat(path.join(entry.parentPath, entry.name)).catch(() => null);
        if (stat) yield { key, modified: stat.mtime };
      }
    }
  }
}
