"use client";

import { useQueries, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import type { JobDto } from "@/lib/dto";
import type { JobStatus } from "@/lib/schemas";
import { fetchJob } from "@/lib/client/api";
import { finishToasts } from "@/lib/client/finish-toasts";
import { refreshGallery } from "@/lib/client/gallery-cache";
import { isActive, jobPollInterval } from "@/lib/client/jobs";
import { useLiveJobs } from "@/lib/client/job-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { JobCard } from "./job-card";

const MAX_FINISHED = 4;

/**
 * The jobs submitted in this tab (and any still active on load). Their changes arrive on the
 * tab's event stream; only while it is down does each job's query poll, every second while
 * the job is queued or running. When one finishes, the gallery is refetched so the result
 * appears at the top.
 */
export function LiveJobs({
  ids,
  initialJobs,
  onDismiss,
  onClear,
}: {
  ids: string[];
  initialJobs: Record<string, JobDto>;
  onDismiss: (id: string) => void;
  onClear: (finishedIds: string[]) => void;
}) {
  const queryClient = useQueryClient();
  const live = useLiveJobs();
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: queryKeys.job(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchJob(id, signal),
      initialData: initialJobs[id],
      staleTime: 0,
      refetchOnMount: false as const,
      refetchInterval: (query: { state: { data: JobDto | undefined } }) => jobPollInterval(query.state.data, live),
      // Keep watching in a background tab, so the designer hears about finished jobs.
      refetchIntervalInBackground: true,
    })),
  });

  const jobs = results.map((r) => r.data).filter((j): j is JobDto => j !== undefined);

  // Refresh the history (and the month's spend) when any job leaves queued/running.
  const seen = useRef(new Map<string, JobStatus>());
  const statusKey = jobs.map((j) => `${j.id}:${j.status}`).join(",");
  useEffect(() => {
    let finished = false;
    for (const job of jobs) {
      // A job that finished before its card's query existed (its events came first) still counts.
      const before = seen.current.get(job.id) ?? initialJobs[job.id]?.status;
      if (before && isActive(before) && !isActive(job.status)) {
        finished = true;
        finishToasts.finished(job);
      }
      seen.current.set(job.id, job.status);
    }
    if (finished) {
      void refreshGallery(queryClient);
      void queryClient.invalidateQueries({ queryKey: queryKeys.budget });
    }
    // statusKey captures every change that matters.
  }, [statusKey]); // eslint-disable-line react-hooks/exhaustive-deps

  if (jobs.length === 0) return null;
  const activeCount = jobs.filter((j) => isActive(j.status)).length;
  // Every active job and every failure (until dismissed or cleared: a failure shouldn't scroll
  // away unread), plus the few most recent other finished ones; older results live in the history.
  let finishedShown = 0;
  const shown = jobs.filter((j) => isActive(j.status) || j.status === "failed" || finishedShown++ < MAX_FINISHED);

  return (
    <section aria-labelledby="live-jobs-heading" className="mb-8">
      <div className="mb-3 flex items-center justify-between">
        <h2 id="live-jobs-heading" className="flex items-center gap-2 text-sm font-semibold text-zinc-200">
          Running &amp; recent
          {activeCount > 0 ? (
            <span className="rounded-full bg-accent-400/10 px-1.5 text-xs font-medium tabular-nums text-accent-300">
              {activeCount} running
            </span>
          ) : null}
        </h2>
        {jobs.length > activeCount ? (
          <button
            type="button"
            onClick={() => onClear(jobs.filter((j) => !isActive(j.status)).map((j) => j.id))}
            className="rounded text-xs text-zinc-500 hover:text-zinc-200 hover:underline"
          >
            Clear finished
          </button>
        ) : null}
      </div>
      <ul className="grid gap-2.5 xl:grid-cols-2" data-testid="live-jobs">
        {shown.map((job) => (
          <li key={job.id}>
            <JobCard job={job} onDismiss={() => onDismiss(job.id)} />
          </li>
        ))}
      </ul>
    </section>
  );
}
