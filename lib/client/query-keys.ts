import type { GalleryFilter } from "./api";
import { filterKey } from "./gallery-filter";

export const queryKeys = {
  job: (id: string) => ["job", id] as const,
  galleryAll: ["gallery"] as const,
  gallery: (filter: GalleryFilter) => ["gallery", filterKey(filter)] as const,
  budget: ["budget"] as const,
};
