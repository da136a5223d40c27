import type { JobStatus } from "@/lib/schemas";
import { STATUS_LABEL } from "@/lib/client/jobs";
import { Spinner } from "./icons";

const STYLE: Record<JobStatus, string> = {
  queued: "bg-zinc-800 text-zinc-300 ring-zinc-700",
  running: "bg-accent-400/10 text-accent-300 ring-accent-400/30",
  succeeded: "bg-emerald-500/10 text-emerald-300 ring-emerald-500/25",
  failed: "bg-red-500/10 text-red-300 ring-red-500/25",
  canceled: "bg-zinc-800/60 text-zinc-400 ring-zinc-700",
};

export function StatusBadge({ status, className = "" }: { status: JobStatus; className?: string }) {
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[status]} ${className}`}
      data-status={status}
    >
      {status === "running" ? (
        <Spinner className="size-3" />
      ) : (
        <span
          aria-hidden="true"
          className={`size-1.5 rounded-full ${
            status === "queued"
              ? "animate-pulse bg-zinc-400"
              : status === "succeeded"
                ? "bg-emerald-400"
                : status === "failed"
                  ? "bg-red-400"
                  : "bg-zinc-500"
          }`}
        />
      )}
      {STATUS_LABEL[status]}
    </span>
  );
}
