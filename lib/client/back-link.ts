/**
 * Where a page was opened from, carried in its URL (`from=`), so its back link returns there
 * even after a reload or in a new tab. Only paths on this site are kept.
 */

/** `href` with `from` added (a path on this site, query and hash included). */
export function withFrom(href: string, from: string): string {
  return `${href}${href.includes("?") ? "&" : "?"}from=${encodeURIComponent(from)}`;
}

/** The `from` value if it is a path here; null for anything that could leave the site. */
export function safeFrom(value: string | undefined): string | null {
  if (!value || value.length > 1000 || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return null;
  return value;
}

/** What the back link calls the page it returns to. */
export function fromLabel(path: string): string {
  const pathname = path.split(/[?#]/)[0]!;
  if (pathname === "/") return "Gallery";
  if (pathname.startsWith("/batches/")) return "Batch";
  if (pathname.startsWith("/jobs/")) return "Job";
  if (pathname.startsWith("/ledger")) return "Ledger";
  return "Previous page";
}

/** The studio page's gallery, where "back to the gallery" lands. */
export const GALLERY_ANCHOR = "#history-heading";
