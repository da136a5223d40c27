"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { cancelJobAction } from "@/lib/server/actions";
import { keepNewest } from "@/lib/client/job-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { ActionError } from "../ui/action-error";
import { Spinner, StopIcon } from "../ui/icons";

export function CancelJobButton({ jobId, compact = false }: { jobId: string; compact?: boolean }) {
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

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
