"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { cancelJobAction } from "@/lib/server/actions";
import { keepNewest } from "@/lib/client/job-stream";
import { queryKeys } from "@/lib/client/query-keys";
import type { JobDto } from "@/lib/dto";
import { ActionError } from "../ui/action-error";
import { useMe } from "../ui/me";
import { Spinner, StopIcon } from "../ui/icons";

/** Shown only to whoever may cancel: an admin, or (team mode) the member who made the job. */
export function CancelJobButton({ job, compact = false }: { job: Pick<JobDto, "id" | "createdBy">; compact?: boolean }) {
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const me = useMe();
  const jobId = job.id;
  if (me && !me.admin && job.createdBy?.id !== me.accountId) return null;

  function cancel() {
    setError(null);
    startTransition(async () => {
      try {
        const sentAt = Date.now();
        const result = await cancelJobAction(jobId);
        if (result.ok) {
          keepNewest(queryClient, result.job, sentAt);
          void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
        } else setError(result.error.message);
      } catch {
        setError("Couldn't reach the server.");
      }
    });
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={cancel}
        disabled={pending}
        className={`inline-flex items-center gap-1.5 rounded-md border border-zinc-700 bg-zinc-800/60 font-medium text-zinc-200 hover:border-zinc-500 hover:bg-zinc-800 disabled:opacity-60 ${
          compact ? "h-7 px-2 text-xs" : "h-9 px-3 text-sm"
        }`}
      >
        {pending ? <Spinner className="size-3.5" /> : <StopIcon className="size-3.5" />}
        Cancel
      </button>
      <ActionError message={error} />
    </span>
  );
}
