"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, retrySaving } from "@/lib/client/api";
import { keepNewest } from "@/lib/client/job-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { ActionError } from "../ui/action-error";
import { DownloadIcon, Spinner } from "../ui/icons";
import { buttonPrimary } from "../ui/button-styles";

/**
 * "Retry saving": the job goes back to the worker, which fetches the kept result again. The
 * answer (queued) goes into the job's query, which then polls until the job ends, so the
 * page and the studio's card show the saved result, or the new failure in plain words.
 */
export function RetrySaveButton({ jobId, compact = false }: { jobId: string; compact?: boolean }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setPending(true);
    setError(null);
    try {
      const sentAt = Date.now();
      keepNewest(queryClient, await retrySaving(jobId), sentAt);
    } catch (e) {
      setError(errorMessage(e));
      // Someone else may have retried it meanwhile: show the job as it is now.
      void queryClient.invalidateQueries({ queryKey: queryKeys.job(jobId) });
    } finally {
      setPending(false);
    }
  }

  return (
    <span className={`flex gap-2 ${compact ? "flex-wrap items-center" : "flex-col items-center"}`}>
      <button
        type="button"
        onClick={run}
        disabled={pending}
        className={compact ? "inline-flex items-center gap-1 rounded text-xs font-medium text-accent-300 hover:underline disabled:opacity-60" : buttonPrimary}
      >
        {pending ? <Spinner className="size-3.5" /> : compact ? null : <DownloadIcon className="size-3.5" />}
        Retry saving
      </button>
      <ActionError message={error} />
    </span>
  );
}
