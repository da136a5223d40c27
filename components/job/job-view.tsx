"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { lazy, memo, Suspense, useDeferredValue, useEffect, useRef, useState } from "react";
import type { JobDto, ProviderDto } from "@/lib/dto";
import type { JobStatus } from "@/lib/schemas";
import { MATCH_INPUT } from "@/lib/client/constants";
import { fetchJob } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import { newerOf, readAgainOnMount, useLiveJobs } from "@/lib/client/job-stream";
import { outputRef } from "@/lib/client/urls";
import { isActive, jobPollInterval, STATUS_LABEL } from "@/lib/client/jobs";
import { CancelJobButton } from "./cancel-job-button";
import { ChangeNote } from "./change-note";
import { ElapsedTime } from "../ui/elapsed-time";
import { MadeBy } from "../ui/me";
import { ArrowLeftIcon, Spinner, VariationsIcon } from "../ui/icons";
import { JobActions, RetryButton } from "./job-actions";
import { ActiveStatus, JobFailure } from "./job-failure";
import { OutputActions } from "./output-actions";
import { JobRecipe } from "./job-recipe";
import { OutputPicker } from "./output-picker";
import { ResultViewer } from "./result-viewer";
import { StatusBadge } from "../ui/status-badge";

/** The lineage tree loads after the page: it isn't first-load JS. */
const LineagePanel = lazy(() => import("../lineage/lineage-panel").then((m) => ({ default: m.LineagePanel })));

function Placeholder({ job, usualMs }: { job: JobDto; usualMs: number | null }) {
  const input = job.inputs[0];
  // The output's shape before it exists: the input's for "match input", else the chosen ratio.
  const [w, h] =
    job.aspectRatio === MATCH_INPUT
      ? input
        ? [input.width, input.height]
        : [1, 1]
      : (job.aspectRatio.split(":").map(Number) as [number, number]);
  const ratio = w / h;
  const active = isActive(job.status);
  return (
    <div
      className="checker relative mx-auto flex items-center justify-center overflow-hidden rounded-xl ring-1 ring-zinc-800"
      style={{ aspectRatio: `${w} / ${h}`, width: `min(100%, calc(72vh * ${ratio.toFixed(4)}))`, minHeight: active ? undefined : "16rem" }}
    >
      {input ? (
        <img
          src={input.url}
          alt="The input image"
          width={input.width}
          height={input.height}
          className={`absolute inset-0 size-full object-contain ${active ? "opacity-30 blur-sm" : "opacity-20 grayscale"}`}
        />
      ) : null}
      <div className="relative flex max-w-md flex-col items-center gap-3 px-6 text-center">
        {active ? (
          <>
            <Spinner className="size-7 text-accent-300" />
            <ActiveStatus job={job} usualMs={usualMs} />
            <CancelJobButton job={job} />
          </>
        ) : job.status === "failed" ? (
          <JobFailure job={job} />
        ) : (
          <>
            <p className="text-sm font-medium text-zinc-100">This job was canceled before it finished.</p>
            <p className="text-xs text-zinc-400">Retry runs the same recipe and seed again.</p>
            <RetryButton jobId={job.id} />
          </>
        )}
      </div>
    </div>
  );
}

function LineageFallback() {
  return (
    <div className="mt-10 flex h-52 items-center justify-center gap-2 rounded-2xl border border-zinc-800/80 bg-zinc-900/30 text-sm text-zinc-500">
      <Spinner className="size-4" /> Loading the lineage…
    </div>
  );
}

export function JobView({ initialJob, providers }: { initialJob: JobDto; providers: ProviderDto[] }) {
  const queryClient = useQueryClient();
  const live = useLiveJobs();
  const { data: job = initialJob } = useQuery({
    queryKey: queryKeys.job(initialJob.id),
    queryFn: async ({ signal }) => {
      const sentAt = Date.now();
      return newerOf(await fetchJob(initialJob.id, signal), sentAt);
    },
    initialData: initialJob,
    staleTime: 0,
    refetchOnMount: (query) => readAgainOnMount(isActive(query.state.data?.status ?? "succeeded")),
    refetchInterval: (query) => jobPollInterval(query.state.data, live),
  });
  // The status and actions change first; the result, recipe and lineage (most of the page to
  // build) follow in a render of their own, so a finished job shows as finished at once.
  const settled = useDeferredValue(job);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  // When the job finishes here, the studio's history and the lineage should show it.
  const previous = useRef<JobStatus>(job.status);
  useEffect(() => {
    if (isActive(previous.current) && !isActive(job.status)) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
      void queryClient.invalidateQueries({ queryKey: queryKeys.lineageAll });
    }
    previous.current = job.status;
  }, [job.status, queryClient]);

  const provider = providers.find((p) => p.id === job.provider);

  return (
    <div className="pt-5" data-testid="job-view" data-ready={ready ? "true" : undefined}>
      <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm text-zinc-400 hover:text-zinc-100">
        <ArrowLeftIcon className="size-3.5" /> <span className="sr-only">Back to the</span> Studio
      </Link>

      <div className="mt-3 flex flex-wrap items-start gap-x-6 gap-y-3">
        <div className="min-w-[min(100%,18rem)] flex-1">
          <div className="mb-2 flex flex-wrap items-center gap-2 text-xs text-zinc-400">
            <span aria-live="polite" aria-atomic="true" data-testid="job-status">
              <StatusBadge status={job.status} />
              <span className="sr-only">Status: {STATUS_LABEL[job.status]}</span>
            </span>
            <ElapsedTime job={job} />
            <MadeBy creator={job.createdBy} />
            {job.batchId ? (
              <Link
                href={`/batches/${job.batchId}`}
                className="inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-zinc-400 ring-1 ring-zinc-800 hover:text-zinc-100 hover:ring-zinc-600"
              >
                <VariationsIcon className="size-3" /> Part of a batch
              </Link>
            ) : null}
          </div>
          <h1 className="line-clamp-2 text-lg font-semibold leading-snug tracking-tight text-zinc-50 sm:text-xl" title={job.prompt}>
            {job.prompt}
          </h1>
        </div>
        <JobActions job={job} unitPriceUsd={provider?.models.find((m) => m.id === job.model)?.priceUsd ?? null} />
      </div>

      <JobBody job={settled} provider={provider} />
    </div>
  );
}

/** Memoized: while only the header has the newer job, this part is left as it is. */
const JobBody = memo(function JobBody({ job, provider }: { job: JobDto; provider: ProviderDto | undefined }) {
  const [selected, setSelected] = useState(0);
  const [showLineage, setShowLineage] = useState(false);
  useEffect(() => setShowLineage(true), []);
  const output = job.outputs[Math.min(selected, job.outputs.length - 1)];
  const input = job.inputs[0];
  const outputIndex = output ? job.outputs.indexOf(output) : 0;
  const lineageOf = job.outputs[0]?.imageId ?? input?.imageId ?? null;

  return (
    <>
      <div className="mt-6 grid gap-8 lg:grid-cols-[minmax(0,1fr)_340px] xl:grid-cols-[minmax(0,1fr)_380px]">
        <section aria-label="Result" className="min-w-0">
          {job.status === "succeeded" && output ? (
            <>
              <ResultViewer
                key={output.imageId}
                input={input}
                output={output}
                compareRef={outputRef(job.id, outputIndex)}
                alt={job.prompt}
                withPicker={job.outputs.length > 1}
                regionMaskUrl={job.mask?.url ?? null}
              />
              <ChangeNote change={output.change} />
              <OutputPicker outputs={job.outputs} selected={outputIndex} onSelect={setSelected} />
              <OutputActions job={job} output={output} index={outputIndex} />
            </>
          ) : (
            <Placeholder job={job} usualMs={provider?.models.find((m) => m.id === job.model)?.usual?.ms ?? null} />
          )}
        </section>
        <aside className="rounded-2xl border border-zinc-800/80 bg-zinc-900/40 p-5 lg:self-start">
          <JobRecipe job={job} provider={provider} />
        </aside>
      </div>

      {lineageOf && showLineage ? (
        <Suspense fallback={<LineageFallback />}>
          <LineagePanel imageId={lineageOf} currentImageIds={job.outputs.map((o) => o.imageId)} focusImageId={output?.imageId ?? null} />
        </Suspense>
      ) : lineageOf ? (
        <LineageFallback />
      ) : null}
    </>
  );
});
