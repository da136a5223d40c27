"use client";

import { keepPreviousData, type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import type { JobPage } from "@/lib/dto";
import type { JobStatus } from "@/lib/schemas";
import { JOB_STATUS_LIST } from "@/lib/client/constants";
import { errorMessage, fetchJobs } from "@/lib/client/api";
import { STATUS_LABEL } from "@/lib/client/jobs";
import { queryKeys } from "@/lib/client/query-keys";
import { useDebounced } from "@/lib/client/use-debounced";
import { GalleryTile } from "./gallery-tile";
import { CloseIcon, ImageIcon, SearchIcon, Spinner } from "./icons";

/** Every job, newest first, with search, a status filter and infinite scroll. */
export function HistoryGallery({ initialPage }: { initialPage: JobPage }) {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<JobStatus | "">("");
  const q = useDebounced(search.trim(), 300);
  const filter = { q: q || undefined, status: status || undefined };
  const unfiltered = !filter.q && !filter.status;
  const searchId = useId();
  const statusId = useId();

  const query = useInfiniteQuery({
    queryKey: queryKeys.gallery(filter),
    queryFn: ({ pageParam, signal }) => fetchJobs({ ...filter, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: unfiltered
      ? ({ pages: [initialPage], pageParams: [null] } satisfies InfiniteData<JobPage, string | null>)
      : undefined,
    placeholderData: keepPreviousData,
  });
  const { data, fetchNextPage, hasNextPage, isFetchingNextPage, isPending, isError, error, refetch, isPlaceholderData } =
    query;

  // Load the next page when the sentinel below the grid comes near the viewport.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage || isFetchingNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void fetchNextPage();
      },
      { rootMargin: "800px 0px" },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const jobs = data?.pages.flatMap((p) => p.items) ?? [];
  const filtering = search.trim() !== q || isPlaceholderData;

  return (
    <section aria-labelledby="history-heading">
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h2 id="history-heading" className="mr-auto text-sm font-semibold text-zinc-200">
          History
        </h2>
        <div className="relative w-full sm:w-64">
          <label htmlFor={searchId} className="sr-only">
            Search prompts
          </label>
          <SearchIcon className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-zinc-500" />
          <input
            id={searchId}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search prompts"
            className="field h-9 py-0 pl-8 pr-8 [&::-webkit-search-cancel-button]:hidden"
            autoComplete="off"
          />
          {filtering ? (
            <Spinner className="absolute right-2.5 top-1/2 size-3.5 -translate-y-1/2 text-zinc-500" />
          ) : search ? (
            <button
              type="button"
              onClick={() => setSearch("")}
              aria-label="Clear search"
              className="absolute right-1.5 top-1/2 -translate-y-1/2 rounded p-1 text-zinc-500 hover:text-zinc-200"
            >
              <CloseIcon className="size-3.5" />
            </button>
          ) : null}
        </div>
        <div className="relative">
          <label htmlFor={statusId} className="sr-only">
            Status
          </label>
          <select
            id={statusId}
            value={status}
            onChange={(e) => setStatus(e.target.value as JobStatus | "")}
            className="field h-9 w-auto appearance-none py-0 pr-8"
          >
            <option value="">All statuses</option>
            {JOB_STATUS_LIST.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
          <svg
            viewBox="0 0 16 16"
            className="pointer-events-none absolute right-2.5 top-1/2 size-3.5 -translate-y-1/2 text-zinc-400"
            aria-hidden="true"
          >
            <path d="m4 6 4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
        </div>
      </div>

      {isError && jobs.length === 0 ? (
        <div className="rounded-xl border border-red-900/50 bg-red-950/20 p-6 text-sm text-red-200" role="alert">
          Couldn&apos;t load the history: {errorMessage(error)}{" "}
          <button type="button" onClick={() => void refetch()} className="font-medium underline">
            Try again
          </button>
        </div>
      ) : isPending ? (
        <div className="flex items-center gap-2 py-10 text-sm text-zinc-400" role="status">
          <Spinner /> Loading history…
        </div>
      ) : jobs.length === 0 ? (
        <div className="flex flex-col items-center rounded-2xl border border-dashed border-zinc-800 px-6 py-16 text-center">
          <span className="mb-3 flex size-10 items-center justify-center rounded-full bg-zinc-900 text-zinc-500 ring-1 ring-zinc-800">
            <ImageIcon />
          </span>
          {unfiltered ? (
            <>
              <p className="text-sm font-medium text-zinc-200">No images yet</p>
              <p className="mt-1 max-w-sm text-sm text-zinc-500">
                Drop an image and describe a change, or write a prompt to generate one. Every result is kept here.
              </p>
            </>
          ) : (
            <>
              <p className="text-sm font-medium text-zinc-200">Nothing matches</p>
              <p className="mt-1 text-sm text-zinc-500">
                {filter.q ? <>No {filter.status ? STATUS_LABEL[filter.status].toLowerCase() + " " : ""}jobs mention “{filter.q}”.</> : <>No {STATUS_LABEL[filter.status!].toLowerCase()} jobs.</>}
              </p>
            </>
          )}
        </div>
      ) : (
        <>
          <ul
            className={`grid grid-cols-[repeat(auto-fill,minmax(168px,1fr))] gap-3 transition-opacity ${isPlaceholderData ? "opacity-60" : ""}`}
            data-testid="gallery"
            aria-busy={isPlaceholderData}
          >
            {jobs.map((job) => (
              <li key={job.id}>
                <GalleryTile job={job} />
              </li>
            ))}
          </ul>
          <div ref={sentinel} aria-hidden="true" className="h-px" />
          <div className="mt-6 flex justify-center">
            {hasNextPage ? (
              <button
                type="button"
                onClick={() => void fetchNextPage()}
                disabled={isFetchingNextPage}
                className="inline-flex h-9 items-center gap-2 rounded-lg border border-zinc-800 bg-zinc-900 px-4 text-sm text-zinc-300 hover:border-zinc-600 hover:text-zinc-100 disabled:opacity-70"
              >
                {isFetchingNextPage ? (
                  <>
                    <Spinner className="size-3.5" /> Loading…
                  </>
                ) : (
                  "Load more"
                )}
              </button>
            ) : jobs.length > 12 ? (
              <p className="text-xs text-zinc-600">That&apos;s everything.</p>
            ) : null}
          </div>
        </>
      )}
    </section>
  );
}
