"use client";

import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import type { JobDto, JobPage } from "@/lib/dto";
import type { Batch } from "./api";
import { finishToasts } from "./finish-toasts";
import { mapGalleryJobs, removeFromGallery } from "./gallery-cache";
import { isActive } from "./jobs";
import { queryKeys } from "./query-keys";

/**
 * The tab's one stream of job changes (GET /api/events), written into the query cache. While it
 * is up, job queries need no polling (`useLiveJobs()` is true); while it is down they poll as
 * before, without a word to the designer. The browser reconnects by itself, with Last-Event-ID;
 * a stream it gave up on (an error status) is opened again here, a little later each time.
 */
let live = false;
const listeners = new Set<() => void>();

function setLive(next: boolean) {
  if (live === next) return;
  live = next;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** True while pushed updates arrive, so polling is off. */
export function useLiveJobs(): boolean {
  return useSyncExternalStore(subscribe, () => live, () => false);
}

/** The last state pushed per job and when it came, kept briefly to settle races with an action's answer. */
const pushed = new Map<string, { job: JobDto; at: number }>();
const PUSHED_KEEP_MS = 60_000;

/**
 * Writes the job an action answered with (submit, cancel, retry), unless a state pushed while
 * the action was on its way (`sentAt`: when it was sent; 0 for a job the action created) came
 * in first: that one is as new or newer, and nothing else would bring it back.
 */
export function keepNewest(queryClient: QueryClient, job: JobDto, sentAt = 0): void {
  queryClient.setQueryData(queryKeys.job(job.id), newerOf(job, sentAt));
}

/** A job as read by a request sent at `sentAt`, or the state pushed since, which is as new or newer. */
export function newerOf(job: JobDto, sentAt: number): JobDto {
  const last = pushed.get(job.id);
  return last && last.at >= sentAt ? last.job : job;
}

/**
 * For a page whose job or batch was rendered on the server: read it again as it mounts only if
 * the stream was up already (a change published between the render and now reached no one). A
 * stream that connects later re-reads active jobs itself, so either way they are read once.
 */
export const readAgainOnMount = (active: boolean): boolean => live && active;

const REOPEN_MIN_MS = 5000;
const REOPEN_MAX_MS = 60_000;

export function connectJobStream(queryClient: QueryClient): () => void {
  let source: EventSource | undefined;
  let lastId = "";
  let reopenMs = REOPEN_MIN_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    source = new EventSource(lastId ? `/api/events?since=${lastId}` : "/api/events");
    const remember = (event: MessageEvent) => {
      if (event.lastEventId) lastId = event.lastEventId;
    };
    source.addEventListener("ready", (event) => {
      // A first stream cannot know what changed before it opened: active jobs are read once more.
      // A resumed one (Last-Event-ID, or `since`) was sent that by the server.
      if (!lastId) refreshActive(queryClient);
      remember(event);
      reopenMs = REOPEN_MIN_MS;
      setLive(true);
    });
    source.addEventListener("job", (event) => {
      remember(event);
      applyJob(queryClient, JSON.parse(event.data) as JobDto);
    });
    source.addEventListener("deleted", (event) => removeFromGallery(queryClient, [(JSON.parse(event.data) as { jobId: string }).jobId]));
    source.onerror = () => {
      setLive(false);
      if (source?.readyState !== EventSource.CLOSED) return;
      timer = setTimeout(open, reopenMs);
      reopenMs = Math.min(REOPEN_MAX_MS, reopenMs * 2);
    };
  };
  open();
  return () => {
    clearTimeout(timer);
    source?.close();
    setLive(false);
  };
}

function refreshActive(queryClient: QueryClient) {
  void queryClient.invalidateQueries({
    predicate: (query) => {
      const [kind] = query.queryKey;
      if (kind === "job") return isActive((query.state.data as JobDto | undefined)?.status ?? "succeeded");
      return kind === "batch" && Boolean((query.state.data as Batch | undefined)?.jobs.some((job) => isActive(job.status)));
    },
  });
}

/**
 * Every job's latest state goes into its query, watched yet or not: a page that opens a moment
 * later (a batch just sent, a job card just added) starts from it instead of an older render.
 * Unwatched entries are dropped by the query cache's own garbage collection.
 */
function applyJob(queryClient: QueryClient, job: JobDto) {
  const before = queryClient.getQueryData<JobDto>(queryKeys.job(job.id));
  queryClient.setQueryData(queryKeys.job(job.id), job);
  const entry = { job, at: Date.now() };
  pushed.set(job.id, entry);
  setTimeout(() => pushed.get(job.id) === entry && pushed.delete(job.id), PUSHED_KEEP_MS);
  if (before && isActive(before.status) && !isActive(job.status)) finishToasts.finished(job);
  const inGallery = queryClient
    .getQueriesData<InfiniteData<JobPage>>({ queryKey: queryKeys.galleryAll })
    .some(([, data]) => data?.pages.some((page) => page.items.some((shown) => shown.id === job.id)));
  if (inGallery) mapGalleryJobs(queryClient, (shown) => (shown.id === job.id ? job : shown));
  if (job.batchId) {
    queryClient.setQueryData<Batch>(queryKeys.batch(job.batchId), (batch) =>
      batch && { ...batch, jobs: batch.jobs.map((shown) => (shown.id === job.id ? job : shown)) },
    );
  }
}
