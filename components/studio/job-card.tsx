"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import type { JobDto } from "@/lib/dto";
import { isActive, STATUS_LABEL } from "@/lib/client/jobs";
import { ratioLabel } from "@/lib/client/format";
import { CancelJobButton } from "../job/cancel-job-button";
import { RetrySaveButton } from "../job/retry-save-button";
import { ElapsedTime } from "../ui/elapsed-time";
import { AlertIcon, CloseIcon, Spinner } from "../ui/icons";
import { StatusBadge } from "../ui/status-badge";

/** `/?remix=<id>`, keeping the gallery's filters that are in the address bar. */
export function remixHref(jobId: string): string {
  const params = new URLSearchParams(window.location.search);
  params.delete("input");
  params.set("remix", jobId);
  return `/?${params}`;
}

/** One live job: status with a ticking clock, cancel while active, thumbnails when done. */
export function JobCard({ job, onDismiss }: { job: JobDto; onDismiss?: () => void }) {
  const router = useRouter();
  const active = isActive(job.status);
  const first = job.outputs[0];
  const input = job.inputs[0];
  const href = `/jobs/${job.id}`;

  return (
    <article
      className="group relative flex gap-3 rounded-xl border border-zinc-800 bg-zinc-900/70 p-2.5 pr-3"
      data-testid="job-card"
      data-status={job.status}
      aria-label={`Job: ${job.prompt}`}
    >
      <Link
        href={href}
        className="checker relative flex size-20 shrink-0 items-center justify-center overflow-hidden rounded-lg ring-1 ring-zinc-800"
        tabIndex={-1}
        aria-hidden="true"
      >
        {first ? (
          <img
            src={first.thumbUrl}
            alt=""
            width={first.width}
            height={first.height}
            className="size-full object-cover"
          />
        ) : input ? (
          <img
            src={input.thumbUrl}
            alt=""
            width={input.width}
            height={input.height}
            className={`size-full object-cover ${active ? "opacity-40 blur-[1px]" : "opacity-30 grayscale"}`}
          />
        ) : null}
        {active ? (
          <span className="absolute inset-0 flex items-center justify-center text-accent-300">
            <Spinner className="size-5" />
          </span>
        ) : job.status === "failed" ? (
          <span className="absolute inset-0 flex items-center justify-center text-red-300">
            <AlertIcon className="size-5" />
          </span>
        ) : null}
        {job.outputs.length > 1 ? (
          <span className="absolute bottom-1 right-1 rounded bg-zinc-950/80 px-1 text-[10px] font-semibold tabular-nums text-zinc-200">
            ×{job.outputs.length}
          </span>
        ) : null}
      </Link>

      <div className="flex min-w-0 flex-1 flex-col">
        <Link href={href} className="line-clamp-2 rounded text-sm leading-snug text-zinc-100 hover:text-zinc-50 hover:underline">
          {job.prompt}
        </Link>
        <div className="mt-auto flex flex-wrap items-center gap-x-2 gap-y-1 pt-1.5 text-xs text-zinc-400">
          <span aria-live="polite" aria-atomic="true">
            <StatusBadge status={job.status} />
            <span className="sr-only">{`Job “${job.prompt.slice(0, 60)}” ${STATUS_LABEL[job.status].toLowerCase()}`}</span>
          </span>
          <ElapsedTime job={job} className="text-zinc-400" />
        </div>
        <p className="mt-1 truncate text-xs text-zinc-500">
          {ratioLabel(job.aspectRatio)}
          {job.n > 1 ? ` · ${job.n} images` : null}
        </p>
        {job.status === "failed" && job.error ? (
          <p className="mt-1 line-clamp-2 text-xs text-red-300" data-testid="job-error">
            {job.error.message}
          </p>
        ) : null}
        {job.canRetrySave ? (
          <div className="mt-1.5">
            <RetrySaveButton jobId={job.id} compact />
          </div>
        ) : null}
      </div>

      <div className="flex shrink-0 flex-col items-end justify-between">
        {active ? (
          <CancelJobButton job={job} compact />
        ) : onDismiss ? (
          <button
            type="button"
            onClick={onDismiss}
            className="rounded-md p-1 text-zinc-500 hover:bg-zinc-800 hover:text-zinc-200"
            aria-label="Dismiss"
            title="Dismiss"
          >
            <CloseIcon className="size-3.5" />
          </button>
        ) : null}
        {!active ? (
          <span className="flex items-center gap-2.5">
            <button
              type="button"
              onClick={() => router.push(remixHref(job.id))}
              className="rounded text-xs font-medium text-zinc-400 hover:text-zinc-100 hover:underline"
              aria-label={`Remix: ${job.prompt.slice(0, 60)}`}
              title="Refill the form with this recipe"
            >
              Remix
            </button>
            <Link href={href} className="rounded text-xs font-medium text-accent-300 hover:underline" aria-label="Open job page">
              Open
            </Link>
          </span>
        ) : null}
      </div>
    </article>
  );
}
