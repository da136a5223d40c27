"use client";

import type { JobDto } from "@/lib/dto";
import { clockStart, isActive } from "@/lib/client/jobs";
import { durationBetween, formatClock, formatDuration } from "@/lib/client/format";
import { useNow } from "@/lib/client/use-now";

/** Ticks every second while the job is active; shows the final duration once it's done. */
export function ElapsedTime({ job, className = "" }: { job: JobDto; className?: string }) {
  const active = isActive(job.status);
  const now = useNow(active);
  if (active) {
    const ms = now - new Date(clockStart(job)).getTime();
    return (
      <time className={`tabular-nums ${className}`} suppressHydrationWarning>
        {formatClock(ms)}
      </time>
    );
  }
  const ran = durationBetween(job.startedAt ?? job.createdAt, job.finishedAt);
  if (ran === null) return null;
  return <span className={`tabular-nums ${className}`}>{formatDuration(ran)}</span>;
}
