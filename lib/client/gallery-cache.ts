import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { JobDto, JobPage } from "@/lib/dto";
import { fetchJobs } from "./api";
import { filterFromParams } from "./gallery-filter";
import { queryKeys } from "./query-keys";

/** Edits of the cached gallery pages (every filter at once), so changes show without a refetch. */

type Pages = InfiniteData<JobPage, string | null>;

export function mapGalleryJobs(queryClient: QueryClient, fn: (job: JobDto) => JobDto | null): void {
  queryClient.setQueriesData<Pages>({ queryKey: queryKeys.galleryAll }, (data) => {
    if (!data) return data;
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map(fn).filter((job): job is JobDto => job !== null),
      })),
    };
  });
}

export function removeFromGallery(queryClient: QueryClient, ids: Iterable<string>): void {
  const gone = new Set(ids);
  mapGalleryJobs(queryClient, (job) => (gone.has(job.id) ? null : job));
  for (const id of gone) queryClient.removeQueries({ queryKey: queryKeys.job(id), exact: true });
}

/** Past this many loaded pages a refresh merges the newest page instead of refetching them all. */
const FULL_REFETCH_PAGES = 4;

/**
 * Brings the gallery up to date after jobs were added or finished. A short list is simply
 * refetched. A long one (a designer deep in 10k jobs) would cost one request per loaded
 * page, so only the newest page is fetched: ids are time-ordered, so that page is the
 * whole truth for every id at or above its last one, and older cached items stay as they are.
 */
export async function refreshGallery(queryClient: QueryClient): Promise<void> {
  const queries = queryClient.getQueryCache().findAll({ queryKey: queryKeys.galleryAll });
  await Promise.all(
    queries.map(async (query) => {
      const data = query.state.data as Pages | undefined;
      const filter = filterFromParams(new URLSearchParams(String(query.queryKey[1] ?? "")));
      if (!data || data.pages.length <= FULL_REFETCH_PAGES || filter.sort === "oldest" || query.getObserversCount() === 0) {
        await queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
        return;
      }
      let head: JobPage;
      try {
        head = await fetchJobs(filter);
      } catch {
        return; // keep what is shown; the next refresh tries again
      }
      const floor = head.items[head.items.length - 1]?.id;
      queryClient.setQueryData<Pages>(query.queryKey, (current) => {
        if (!current) return current;
        if (!head.nextCursor || floor === undefined) return { pages: [head], pageParams: [null] };
        const inHead = new Set(head.items.map((job) => job.id));
        const older = current.pages.flatMap((page) => page.items).filter((job) => job.id < floor && !inHead.has(job.id));
        const last = current.pages[current.pages.length - 1];
        // One page holding everything loaded; its cursor continues where the old last page ended.
        return { pages: [{ items: [...head.items, ...older], nextCursor: last?.nextCursor ?? null }], pageParams: [null] };
      });
    }),
  );
}
