"use client";

import { useQueryClient } from "@tanstack/react-query";
import { retrySaving } from "@/lib/client/api";
import { keepNewest } from "@/lib/client/job-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { ActionError } from "../ui/action-error";
import { useAction } from "../ui/use-action";
import { DownloadIcon, Spinner } from "../ui/icons";
import { buttonPrimary } from "../ui/button-styles";

/**
 * "Retry saving": the job goes back to the worker, which fetches the kept result again. The
 * answer (queued) goes into the job's query, which then polls until the job ends, so the
 * page and the studio's card show the saved result, or the new failure in plain words.
 */
export function RetrySaveButton({ jobId, compact = false }: { jobId: string; compact?: boolean }) {
  const queryClient = useQueryClient();
  const { run, pending, error } = useAction(
    async () => {
      const sentAt = Date.now();
      keepNewest(queryClient, await retrySaving(jobId), sentAt);
    },
    // Someone else may have retried it meanwhile: show the job as it is now.
    { failed: () => void queryClient.invalidateQueries({ queryKey: queryKeys.job(jobId) }) },
  );

  return (
    <span className={`flex gap-2 ${compact ? "flex-wrap items-center" : "flex-col items-center"}`}>
      <button
        type="button"
        onClick={() => void run()}
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
