"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { fetchJob } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import { CloseIcon } from "../ui/icons";
import { StatusBadge } from "../ui/status-badge";

/**
 * Right under the submit button: the job the last submit started, its status, and a link to
 * it. On a phone the live jobs list is far below the fold; this is where the eye already is.
 * It reads the job's query without polling: the live jobs list polls it.
 */
export function SubmittedNotice({ jobId, onDismiss }: { jobId: string; onDismiss: () => void }) {
  const { data: job } = useQuery({
    queryKey: queryKeys.job(jobId),
    queryFn: ({ signal }) => fetchJob(jobId, signal),
    enabled: false,
  });
  if (!job) return null;
  return (
    <div
      className="flex items-center gap-1.5 rounded-lg border border-zinc-800 bg-zinc-950/60 pl-2 text-xs"
      data-testid="submitted-notice"
      data-status={job.status}
    >
      <StatusBadge status={job.status} className="shrink-0" />
      <span className="min-w-0 flex-1 truncate text-zinc-400">{job.prompt}</span>
      <Link href={`/jobs/${job.id}`} className="inline-flex h-8 shrink-0 items-center rounded px-2 font-medium text-accent-300 hover:underline">
        View job
      </Link>
      <button
        type="button"
        onClick={onDismiss}
        className="flex size-8 shrink-0 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-800 hover:text-zinc-200"
        aria-label="Hide"
        title="Hide"
      >
        <CloseIcon className="size-3.5" />
      </button>
    </div>
  );
}
