import type { JobDto } from "@/lib/dto";
import type { JobStatus } from "@/lib/schemas";
import { ACTIVE_JOB_STATUSES } from "./constants";

export const POLL_MS = 1000;

export function isActive(status: JobStatus): boolean {
  return (ACTIVE_JOB_STATUSES as readonly JobStatus[]).includes(status);
}

/**
 * refetchInterval for a job query: poll only while the job is queued or running, and only while
 * the tab's event stream is down (`live`: lib/client/job-stream).
 */
export function jobPollInterval(job: JobDto | undefined, live: boolean): number | false {
  return !live && job && isActive(job.status) ? POLL_MS : false;
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  canceled: "Canceled",
};

/** The moment the visible clock counts from: start time when running, creation time when queued. */
export function clockStart(job: JobDto): string {
  return job.status === "queued" ? job.createdAt : (job.startedAt ?? job.createdAt);
}

/** "Well past" a model's usual running time: half as long again, and at least a few seconds over. */
export function isSlow(ranMs: number, usualMs: number): boolean {
  return ranMs > Math.max(usualMs * 1.5, usualMs + 5000);
}
