"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { JobDto } from "@/lib/dto";
import { createVariations, rerunJob } from "@/lib/client/api";
import { remixUrl } from "@/lib/client/urls";
import { VARIATIONS_MAX, VARIATIONS_MIN } from "@/lib/client/constants";
import { priceText } from "@/lib/client/format";
import { keepNewest } from "@/lib/client/job-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { estimateCost } from "@/lib/client/recipe-fit";
import { ActionError } from "../ui/action-error";
import { useAction } from "../ui/use-action";
import { ChevronDownIcon, RemixIcon, RerunIcon, Spinner, VariationsIcon } from "../ui/icons";
import { Popover } from "./popover";
import { buttonPrimary, buttonSecondary } from "../ui/button-styles";

/** Re-runs the job (same recipe, same seed) and opens the new job. Also "Retry" for failed jobs. */
export function useRerun(jobId: string) {
  const router = useRouter();
  const queryClient = useQueryClient();
  return useAction(
    async () => {
      const job = await rerunJob(jobId);
      keepNewest(queryClient, job);
      void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
      router.push(`/jobs/${job.id}`);
    },
    { leaves: true },
  );
}

export function RetryButton({ jobId }: { jobId: string }) {
  const { run, pending, error } = useRerun(jobId);
  return (
    <span className="flex flex-col items-center gap-2">
      <button type="button" onClick={() => void run()} disabled={pending} className={buttonPrimary}>
        {pending ? <Spinner className="size-3.5" /> : <RerunIcon className="size-3.5" />}
        Retry
      </button>
      <ActionError message={error} />
    </span>
  );
}

function VariationsPanel({ job, unitPriceUsd, close }: { job: JobDto; unitPriceUsd: number | null; close: () => void }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [count, setCount] = useState(4);
  const options = Array.from({ length: VARIATIONS_MAX - VARIATIONS_MIN + 1 }, (_, i) => VARIATIONS_MIN + i);
  const estimate = estimateCost([{ priceUsd: unitPriceUsd, n: count * job.n }]);

  const { run: submit, pending, error } = useAction(
    async () => {
      const batch = await createVariations(job, count);
      void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
      router.push(`/batches/${batch.batchId}`);
    },
    { leaves: true },
  );

  return (
    <form
      className="w-72"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <fieldset>
        <legend className="text-sm font-medium text-zinc-100">Variations</legend>
        <p className="mt-0.5 text-xs leading-relaxed text-zinc-400">The same recipe with new seeds, shown side by side.</p>
        <div className="mt-3 flex h-9 rounded-lg border border-zinc-800 bg-zinc-950/60 p-0.5">
          {options.map((n) => (
            <label
              key={n}
              className={`relative flex flex-1 cursor-pointer items-center justify-center rounded-md text-sm tabular-nums transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent-400 ${
                count === n ? "bg-zinc-700 text-zinc-50 shadow-sm" : "text-zinc-400 hover:text-zinc-200"
              }`}
            >
              <input
                type="radio"
                name="variations"
                value={n}
                checked={count === n}
                onChange={() => setCount(n)}
                aria-label={`${n} variations`}
                className="absolute inset-0 m-0 size-full cursor-pointer appearance-none rounded-md opacity-0"
              />
              {n}
            </label>
          ))}
        </div>
      </fieldset>
      <p className="mt-2 flex items-baseline justify-between gap-2 text-xs text-zinc-400">
        <span>
          Estimated total · {count * job.n} {count * job.n === 1 ? "image" : "images"}
        </span>
        <span className={`tabular-nums ${estimate === null ? "text-zinc-500" : "font-medium text-zinc-200"}`} data-testid="variations-price">
          {priceText(estimate)}
        </span>
      </p>
      {error ? (
        <p role="alert" className="mt-2 text-xs text-red-300">
          {error}
        </p>
      ) : null}
      <div className="mt-3 flex justify-end gap-2">
        <button type="button" onClick={close} className="h-8 rounded-md px-3 text-sm text-zinc-400 hover:text-zinc-100">
          Cancel
        </button>
        <button type="submit" disabled={pending} className={`${buttonPrimary} h-8`}>
          {pending ? <Spinner className="size-3.5" /> : null}
          Make {count} variations
        </button>
      </div>
    </form>
  );
}

/**
 * Job-level actions in the page header: remix, re-run with the same seed, variations.
 * unitPriceUsd: the model's published price per image (null: none published), for the variations estimate.
 */
export function JobActions({ job, unitPriceUsd = null }: { job: JobDto; unitPriceUsd?: number | null }) {
  const rerun = useRerun(job.id);
  const finished = job.status === "succeeded";
  return (
    <div className="flex flex-col items-end gap-1.5">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <Link href={remixUrl(job.id)} className={buttonSecondary} title="Open the studio with this recipe filled in, to tweak it">
          <RemixIcon className="size-3.5" />
          Remix
        </Link>
        {finished ? (
          <button
            type="button"
            onClick={rerun.run}
            disabled={rerun.pending}
            className={buttonSecondary}
            title={`Run this recipe again with seed ${job.seed}`}
          >
            {rerun.pending ? <Spinner className="size-3.5" /> : <RerunIcon className="size-3.5" />}
            Re-run same seed
          </button>
        ) : null}
        <Popover
          label="Variations…"
          panelLabel="Variations"
          triggerClassName={buttonSecondary}
          trigger={
            <>
              <VariationsIcon className="size-3.5" />
              Variations
              <ChevronDownIcon className="size-3.5 text-zinc-500" />
            </>
          }
        >
          {(close) => <VariationsPanel job={job} unitPriceUsd={unitPriceUsd} close={close} />}
        </Popover>
      </div>
      {rerun.error ? (
        <p role="alert" className="text-xs text-red-300">
          {rerun.error}
        </p>
      ) : null}
    </div>
  );
}
