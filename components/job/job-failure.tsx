"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { JobDto } from "@/lib/dto";
import { formatDuration } from "@/lib/client/format";
import { remixUrl } from "@/lib/client/urls";
import { isSlow } from "@/lib/client/jobs";
import { useNow } from "@/lib/client/use-now";
import { ElapsedTime } from "../ui/elapsed-time";
import { AlertIcon, EditIcon } from "../ui/icons";
import { RetryButton } from "./job-actions";
import { RetrySaveButton } from "./retry-save-button";
import { buttonPrimary } from "../ui/button-styles";

/**
 * What a failed job says and offers: the message in plain words, the provider's own words
 * behind "Details", and the way out that fits the failure. A content filter refusing the
 * instruction will refuse it again, so there the way out is to edit the instruction. A result
 * that could not be stored but can still be fetched is saved again, not generated (and billed) again.
 */
export function JobFailure({ job }: { job: JobDto }) {
  const error = job.error;
  const moderated = error?.code === "moderated";
  return (
    <>
      <span className="flex size-10 items-center justify-center rounded-full bg-red-500/10 text-red-300 ring-1 ring-red-500/30">
        <AlertIcon className="size-5" />
      </span>
      <p className="text-sm font-medium text-zinc-100">This job failed</p>
      <p className="text-sm text-red-200" data-testid="job-error">
        {error?.message || "The provider didn't return an image."}
      </p>
      {error?.detail || error?.code ? (
        <details className="w-full max-w-sm text-left text-xs text-zinc-400" data-testid="job-error-details">
          <summary className="mx-auto w-fit cursor-pointer rounded px-1 text-zinc-400 hover:text-zinc-100">Details</summary>
          <div className="mt-2 rounded-lg border border-zinc-800 bg-zinc-950/70 p-2.5">
            {error.code ? <p className="font-mono text-[11px] text-zinc-500">{error.code}</p> : null}
            {error.detail ? <p className="mt-1 whitespace-pre-wrap break-words font-mono text-[11px] leading-relaxed text-zinc-300">{error.detail}</p> : null}
          </div>
        </details>
      ) : null}
      {job.canRetrySave ? (
        <>
          <p className="text-xs text-zinc-400">Retry saving fetches the same result again, without generating it anew.</p>
          <RetrySaveButton jobId={job.id} />
        </>
      ) : moderated ? (
        <>
          <p className="text-xs text-zinc-400">The same instruction would be refused again: reword it, then run it.</p>
          <Link href={`${remixUrl(job.id)}#prompt`} className={buttonPrimary}>
            <EditIcon className="size-3.5" />
            Edit instruction
          </Link>
        </>
      ) : (
        <>
          <p className="text-xs text-zinc-400">Retry runs the same recipe and seed again.</p>
          <RetryButton jobId={job.id} />
        </>
      )}
    </>
  );
}

/**
 * The line under the spinner while a job is active. Past its model's usual time it says so,
 * with that time, rather than "Working on it…" for ever.
 */
export function ActiveStatus({ job, usualMs }: { job: JobDto; usualMs: number | null }) {
  const running = job.status === "running";
  const now = useNow(running && usualMs !== null);
  // The server's clock and the browser's differ: judge "slow" only once hydrated.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const ranMs = job.startedAt ? now - Date.parse(job.startedAt) : 0;
  const slow = mounted && running && usualMs !== null && isSlow(ranMs, usualMs);
  return (
    <p className="text-sm text-zinc-200" data-testid="job-progress" data-slow={slow || undefined}>
      {job.status === "queued" ? "Waiting for a free slot…" : slow ? "Slower than usual…" : "Working on it…"}{" "}
      <ElapsedTime job={job} className="text-zinc-400" />
      {slow ? <span className="mt-1 block text-xs text-zinc-400">This usually takes about {formatDuration(usualMs ?? 0)}.</span> : null}
    </p>
  );
}
