/** Upload rules the browser checks before sending; the server checks them again. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const MAX_UPLOAD_PIXELS = 40_000_000;
export const ACCEPTED_IMAGE_TYPES = {
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
  "image/webp": [".webp"],
} as const;
export const ACCEPTED_MIME = Object.keys(ACCEPTED_IMAGE_TYPES);

/** Plain-words reason a file can't be used, or null when it looks fine. */
export function checkImageFile(file: { type: string; size: number; name?: string }): string | null {
  // Some drag sources give no type; fall back to the extension and let the server decide.
  const ext = file.name?.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? "";
  const byName = file.type === "" && Object.values(ACCEPTED_IMAGE_TYPES).some((exts) => (exts as readonly string[]).includes(ext));
  if (!ACCEPTED_MIME.includes(file.type) && !byName) {
    const what = file.name ? `“${file.name}”` : "That file";
    return `${what} isn't a PNG, JPEG or WebP image.`;
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    return `That image is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 20 MB.`;
  }
  return null;
}

/** For `<input type="file" accept>`: the types and their extensions. */
export const ACCEPT_ATTR = Object.entries(ACCEPTED_IMAGE_TYPES)
  .flatMap(([mime, exts]) => [mime, ...exts])
  .join(",");
