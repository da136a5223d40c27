import type { GalleryFilter } from "./api";

export const queryKeys = {
  job: (id: string) => ["job", id] as const,
  galleryAll: ["gallery"] as const,
  gallery: (filter: GalleryFilter) => ["gallery", filter.q ?? "", filter.status ?? "all"] as const,
};
