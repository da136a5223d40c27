"use client";

import Link from "next/link";
import type { JobDto } from "@/lib/dto";
import { withFrom } from "@/lib/client/back-link";
import { isActive } from "@/lib/client/jobs";
import { compareUrl, outputRef } from "@/lib/client/urls";
import { ElapsedTime } from "../ui/elapsed-time";
import { AlertIcon, CompareIcon, Spinner } from "../ui/icons";
import { StatusBadge } from "../ui/status-badge";

const frame = "checker relative block aspect-square overflow-hidden";
const caption =
  "pointer-events-none absolute left-1.5 top-1.5 rounded bg-zinc-950/75 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wider text-zinc-200 backdrop-blur";

/**
 * One image of a "same edit on several images" batch: its input beside what the edit made
 * (or where the job stands), with the job page and a before/after comparison one click away.
 */
export function EditCard({ job, index, batchId }: { job: JobDto; index: number; batchId: string }) {
  const input = job.inputs[0];
  const output = job.status === "succeeded" ? job.outputs[0] : undefined;
  const href = `/jobs/${job.id}`;
  return (
    <article
      className="group flex flex-col overflow-hidden rounded-2xl border border-zinc-800/80 bg-zinc-900/40 transition-colors hover:border-zinc-700"
      data-testid="batch-job"
      data-status={job.status}
      aria-label={`Image ${index + 1}`}
    >
      <Link href={href} className="grid grid-cols-2 gap-px bg-zinc-800/80" aria-label={`Open the job for image ${index + 1}`}>
        <span className={frame}>
          {input ? (
            <img src={input.thumbUrl} alt={`Image ${index + 1} before`} width={input.width} height={input.height} className="size-full object-contain" data-testid="batch-before" />
          ) : null}
          <span className={caption}>Before</span>
        </span>
        <span className={frame}>
          {output ? (
            <img src={output.thumbUrl} alt={`Image ${index + 1} after`} width={output.width} height={output.height} className="size-full object-contain" data-testid="batch-after" />
          ) : (
            <span className="absolute inset-0 flex flex-col items-center justify-center gap-2 p-3 text-center">
              {isActive(job.status) ? (
                <>
                  <Spinner className="size-5 text-accent-300" />
                  <span className="text-xs text-zinc-300">{job.status === "queued" ? "Waiting for a slot…" : "Working on it…"}</span>
                </>
              ) : job.status === "failed" ? (
                <>
                  <AlertIcon className="size-5 text-red-300" />
                  <span className="line-clamp-3 text-xs text-red-200" data-testid="batch-error">
                    {job.error?.message || "The provider didn't return an image."}
                  </span>
                </>
              ) : (
                <span className="text-xs text-zinc-400">Canceled</span>
              )}
            </span>
          )}
          <span className={caption}>After</span>
        </span>
      </Link>
      <div className="flex items-center gap-2 p-3 text-xs text-zinc-400">
        <span className="font-mono tabular-nums text-zinc-500">#{index + 1}</span>
        <StatusBadge status={job.status} />
        <ElapsedTime job={job} className="text-zinc-400" />
        {input && output ? (
          <Link
            href={withFrom(compareUrl(input.imageId, outputRef(job.id)), `/batches/${batchId}`)}
            className="ml-auto inline-flex items-center gap-1 rounded-md px-1.5 py-1 text-zinc-300 hover:bg-zinc-800 hover:text-zinc-50"
            data-testid="batch-compare-one"
          >
            <CompareIcon className="size-3.5" /> Compare
          </Link>
        ) : null}
      </div>
    </article>
  );
}
