import { filterKey, type GalleryFilter } from "./gallery-filter";

export const queryKeys = {
  job: (id: string) => ["job", id] as const,
  galleryAll: ["gallery"] as const,
  gallery: (filter: GalleryFilter) => ["gallery", filterKey(filter)] as const,
  budget: ["budget"] as const,
  lineage: (imageId: string) => ["lineage", imageId] as const,
  lineageAll: ["lineage"] as const,
  batch: (batchId: string) => ["batch", batchId] as const,
};
