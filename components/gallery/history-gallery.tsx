"use client";

import { keepPreviousData, type InfiniteData, useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { Creator, JobDto, JobPage, ProviderDto } from "@/lib/dto";
import { errorMessage, fetchJobs, updateImageMeta } from "@/lib/client/api";
import { mapGalleryJobs, refreshGallery, removeFromGallery } from "@/lib/client/gallery-cache";
import { FILTER_KEYS, filterKey, filterToParams, type GalleryFilter, isDefaultFilter } from "@/lib/client/gallery-filter";
import { queryKeys } from "@/lib/client/query-keys";
import { useDebounced } from "@/lib/client/use-debounced";
import { useWindowGrid } from "@/lib/client/use-window-grid";
import { GalleryFilters } from "./gallery-filters";
import { GalleryTile, isFavorite } from "./gallery-tile";
import { CloseIcon, ImageIcon, SearchIcon, SelectIcon, Spinner } from "../ui/icons";

// Only needed once the designer starts selecting.
const SelectionToolbar = dynamic(() => import("./selection-toolbar").then((m) => m.SelectionToolbar), { ssr: false });

const MIN_TILE = 168;
const GAP = 12;

type Pages = InfiniteData<JobPage, string | null>;

/**
 * Every job, filterable and searchable, in a windowed grid: at 10k jobs only the rows near
 * the viewport exist in the DOM, and pages load by keyset as the designer scrolls.
 * The filters live in the URL, so a reload (or a shared link) opens the same view.
 */
export function HistoryGallery({
  initialPage,
  initialFilter,
  providers,
  people = null,
  onDeleted,
}: {
  initialPage: JobPage;
  initialFilter: GalleryFilter;
  providers: ProviderDto[];
  /** The team, for the person filter; null without accounts (no filter). */
  people?: Creator[] | null;
  onDeleted?: (ids: string[]) => void;
}) {
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<GalleryFilter>(() => ({ ...initialFilter, q: undefined }));
  const [search, setSearch] = useState(initialFilter.q ?? "");
  const q = useDebounced(search.trim(), 300);
  const effective = useMemo<GalleryFilter>(() => ({ ...filter, q: q || undefined }), [filter, q]);
  const [initialKey] = useState(() => filterKey(initialFilter));
  const [loadedAt] = useState(() => Date.now());
  const searchId = useId();
  const [notice, setNotice] = useState<string | null>(null);

  // Mirror the filters into the address bar (replace, not push: filters aren't pages).
  useEffect(() => {
    const url = new URL(window.location.href);
    for (const key of FILTER_KEYS) url.searchParams.delete(key);
    for (const [key, value] of filterToParams(effective)) url.searchParams.set(key, value);
    const next = `${url.pathname}${url.search}${url.hash}`;
    if (next !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
      window.history.replaceState(null, "", next);
    }
  }, [effective]);

  const query = useInfiniteQuery({
    queryKey: queryKeys.gallery(effective),
    queryFn: ({ pageParam, signal }) => fetchJobs({ ...effective, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData:
      filterKey(effective) === initialKey ? ({ pages: [initialPage], pageParams: [null] } satisfies Pages) : undefined,
    initialDataUpdatedAt: loadedAt,
    placeholderData: keepPreviousData,
  });
  const { data, fetchNextPage, hasNextPage, isFetchingNextPage, isPending, isError, error, refetch, isPlaceholderData } = query;

  const jobs = useMemo(() => {
    const seen = new Set<string>();
    const list: JobDto[] = [];
    for (const page of data?.pages ?? []) {
      for (const job of page.items) {
        if (seen.has(job.id)) continue;
        seen.add(job.id);
        list.push(job);
      }
    }
    return list;
  }, [data]);

  const grid = useWindowGrid({ count: jobs.length, minTile: MIN_TILE, gap: GAP });

  // Load the next page when the rendered window comes near the end of what is loaded.
  useEffect(() => {
    if (grid.columns === 0 || !hasNextPage || isFetchingNextPage || isPlaceholderData) return;
    if (grid.lastRow >= grid.rows - 6) void fetchNextPage();
  }, [grid.columns, grid.lastRow, grid.rows, hasNextPage, isFetchingNextPage, isPlaceholderData, fetchNextPage]);

  // ---- selection ----
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<Map<string, JobDto>>(() => new Map());
  const anchor = useRef<string | null>(null);
  const jobsRef = useRef(jobs);
  jobsRef.current = jobs;

  const onSelect = useCallback((index: number, range: boolean) => {
    const list = jobsRef.current;
    const job = list[index];
    if (!job) return;
    setSelecting(true);
    const from = anchor.current ? list.findIndex((j) => j.id === anchor.current) : -1;
    setSelected((current) => {
      const next = new Map(current);
      if (range && from >= 0) {
        const [a, b] = from < index ? [from, index] : [index, from];
        for (let i = a; i <= b; i++) next.set(list[i]!.id, list[i]!);
      } else if (next.has(job.id)) {
        next.delete(job.id);
      } else {
        next.set(job.id, job);
      }
      return next;
    });
    if (!range || from < 0) anchor.current = job.id;
  }, []);

  const exitSelect = useCallback(() => {
    setSelecting(false);
    setSelected(new Map());
    anchor.current = null;
  }, []);

  useEffect(() => {
    if (!selecting) return;
    function onKey(event: KeyboardEvent) {
      if (document.querySelector("dialog[open]")) return;
      const target = event.target as HTMLElement | null;
      const typing = target?.closest("input, textarea, select, [contenteditable=true]");
      if (event.key === "Escape" && !typing) exitSelect();
      if (event.key === "a" && (event.ctrlKey || event.metaKey) && !typing) {
        event.preventDefault();
        setSelected(new Map(jobsRef.current.map((job) => [job.id, job])));
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selecting, exitSelect]);

  // Keep selected jobs' data fresh (a favourite toggled, a status changed).
  useEffect(() => {
    setSelected((current) => {
      if (current.size === 0) return current;
      let changed = false;
      const next = new Map(current);
      for (const job of jobs) {
        if (next.has(job.id) && next.get(job.id) !== job) {
          next.set(job.id, job);
          changed = true;
        }
      }
      return changed ? next : current;
    });
  }, [jobs]);

  const onDeletedJobs = useCallback(
    (ids: string[], result: { deleted: number; imagesRemoved: number }) => {
      removeFromGallery(queryClient, ids);
      exitSelect();
      onDeleted?.(ids);
      setNotice(
        `Deleted ${result.deleted} ${result.deleted === 1 ? "job" : "jobs"} and ${result.imagesRemoved} image ${result.imagesRemoved === 1 ? "file" : "files"}.`,
      );
      void refreshGallery(queryClient);
    },
    [queryClient, exitSelect, onDeleted],
  );

  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(null), 6000);
    return () => window.clearTimeout(timer);
  }, [notice]);

  // ---- favourites ----
  const onFavorite = useCallback(
    async (job: JobDto) => {
      const wasFavorite = isFavorite(job);
      // Starring marks the first image; unstarring clears every starred image of the job.
      const targets = wasFavorite ? job.outputs.filter((o) => o.favorite) : job.outputs.slice(0, 1);
      const ids = new Set(targets.map((o) => o.imageId));
      const apply = (value: boolean) => {
        const patch = (j: JobDto): JobDto =>
          j.id === job.id ? { ...j, outputs: j.outputs.map((o) => (ids.has(o.imageId) ? { ...o, favorite: value } : o)) } : j;
        mapGalleryJobs(queryClient, patch);
        queryClient.setQueryData<JobDto>(queryKeys.job(job.id), (current) => (current ? patch(current) : current));
      };
      apply(!wasFavorite);
      try {
        await Promise.all(targets.map((o) => updateImageMeta(o.imageId, { favorite: !wasFavorite })));
        // Lists filtered to favourites change membership; let them refetch.
        void queryClient.invalidateQueries({
          queryKey: queryKeys.galleryAll,
          predicate: (q) => String(q.queryKey[1] ?? "").includes("fav=1"),
        });
      } catch (e) {
        apply(wasFavorite);
        setNotice(`Couldn't update the favourite: ${errorMessage(e)}`);
      }
    },
    [queryClient],
  );

  const update = useCallback((patch: Partial<GalleryFilter>) => setFilter((current) => ({ ...current, ...patch })), []);
  const unfiltered = isDefaultFilter(effective);
  const filtering = search.trim() !== q || isPlaceholderData;

  const tile = (job: JobDto, index: number) => (
    <GalleryTile
      job={job}
      index={index}
      selecting={selecting}
      selected={selected.has(job.id)}
      onSelect={onSelect}
      onFavorite={onFavorite}
    />
  );

  let body;
  if (isError && jobs.length === 0) {
    body = (
      <div className="rounded-xl border border-red-900/50 bg-red-950/20 p-6 text-sm text-red-200" role="alert">
        Couldn&apos;t load the history: {errorMessage(error)}{" "}
        <button type="button" onClick={() => void refetch()} className="font-medium underline">
          Try again
        </button>
      </div>
    );
  } else if (isPending) {
    body = (
      <div className="flex items-center gap-2 py-10 text-sm text-zinc-400" role="status">
        <Spinner /> Loading history…
      </div>
    );
  } else if (jobs.length === 0) {
    body = (
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
              {effective.q ? <>No jobs with these filters mention “{effective.q}”.</> : <>No jobs match these filters.</>}
            </p>
            <button
              type="button"
              onClick={() => {
                setSearch("");
                setFilter({});
              }}
              className="mt-3 rounded text-sm font-medium text-accent-300 hover:underline"
            >
              Clear search and filters
            </button>
          </>
        )}
      </div>
    );
  } else {
    const windowed = grid.columns > 0;
    const start = windowed ? grid.firstRow * grid.columns : 0;
    const end = windowed ? Math.min(jobs.length, grid.lastRow * grid.columns) : jobs.length;
    body = (
      <>
        <div
          ref={grid.ref}
          className="relative"
          style={windowed ? { height: grid.totalHeight } : undefined}
          data-testid="gallery-window"
          data-rendered={end - start}
          data-total={jobs.length}
        >
          {/* Before the first measure (server render) a CSS grid; after it, every tile sits at a
              fixed absolute position, so tiles that stay never move and new ones just appear. */}
          <ul
            className={`transition-opacity ${windowed ? "" : "grid grid-cols-[repeat(auto-fill,minmax(168px,1fr))] gap-3"} ${
              isPlaceholderData ? "opacity-60" : ""
            }`}
            data-testid="gallery"
            aria-busy={isPlaceholderData}
            aria-label="History"
          >
            {jobs.slice(start, end).map((job, i) => {
              const index = start + i;
              const style = windowed
                ? {
                    position: "absolute" as const,
                    top: Math.floor(index / grid.columns) * (grid.tile + GAP),
                    left: (index % grid.columns) * (grid.tile + GAP),
                    width: grid.tile,
                    height: grid.tile,
                  }
                : undefined;
              return (
                <li
                  key={job.id}
                  className={windowed ? "" : "aspect-square"}
                  style={style}
                  aria-posinset={index + 1}
                  aria-setsize={hasNextPage ? -1 : jobs.length}
                >
                  {tile(job, index)}
                </li>
              );
            })}
          </ul>
        </div>
        <div className="mt-6 flex h-9 justify-center">
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
            <p className="self-center text-xs text-zinc-500">That&apos;s everything · {jobs.length} jobs</p>
          ) : null}
        </div>
      </>
    );
  }

  return (
    <section aria-labelledby="history-heading">
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <h2 id="history-heading" className="text-sm font-semibold text-zinc-200">
          History
        </h2>
        <p className="mr-auto text-xs text-zinc-500" aria-live="polite" data-testid="gallery-notice">
          {notice}
        </p>
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
        <button
          type="button"
          aria-pressed={selecting}
          onClick={() => (selecting ? exitSelect() : setSelecting(true))}
          onPointerEnter={() => void import("./selection-toolbar")}
          onFocus={() => void import("./selection-toolbar")}
          className={`inline-flex h-9 items-center gap-1.5 rounded-lg border px-3 text-sm transition-colors ${
            selecting
              ? "border-accent-400/60 bg-accent-400/10 text-accent-300"
              : "border-zinc-800 bg-zinc-900 text-zinc-300 hover:border-zinc-600 hover:text-zinc-100"
          }`}
          title="Select several jobs (or shift-click a tile)"
        >
          <SelectIcon className="size-4" /> Select
        </button>
      </div>
      <div className="mb-4">
        <GalleryFilters filter={filter} onChange={update} providers={providers} people={people} />
      </div>

      {body}

      {selecting ? (
        <SelectionToolbar
          selected={[...selected.values()]}
          providers={providers}
          onClear={() => {
            setSelected(new Map());
            anchor.current = null;
          }}
          onExit={exitSelect}
          onDeleted={onDeletedJobs}
        />
      ) : null}
    </section>
  );
}
