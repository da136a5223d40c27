"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import type { JobDto, ProviderDto } from "@/lib/dto";
import { withFrom } from "@/lib/client/back-link";
import { formatPrice, priceText } from "@/lib/client/format";
import { type Batch, fetchBatch } from "@/lib/client/api";
import { batchZipUrl, compareUrl, outputRef } from "@/lib/client/urls";
import { queryKeys } from "@/lib/client/query-keys";
import { isActive, POLL_MS } from "@/lib/client/jobs";
import { newerOf, readAgainOnMount, useLiveJobs } from "@/lib/client/job-stream";
import { ElapsedTime } from "../ui/elapsed-time";
import { MadeBy } from "../ui/me";
import { AlertIcon, ArrowLeftIcon, CompareIcon, DownloadIcon, JobStarIcon, Spinner } from "../ui/icons";
import { buttonPrimary, buttonSecondary } from "../ui/button-styles";
import { StatusBadge } from "../ui/status-badge";
import { EditCard } from "./edit-card";

type BatchKind = "fan-out" | "variations" | "images";

/**
 * What made the batch, read from its jobs: several models is a fan-out; one model on
 * different inputs (or a lone edit) is the same edit applied to several images; otherwise
 * one recipe several times (new seeds, or the same model picked twice in a fan-out).
 */
function batchKind(jobs: JobDto[]): BatchKind {
  if (new Set(jobs.map((j) => `${j.provider}/${j.model}`)).size > 1) return "fan-out";
  if (!jobs.every((j) => j.inputs.length === 1)) return "variations";
  const inputs = new Set(jobs.map((j) => j.inputs[0]!.imageId)).size;
  return inputs > 1 || jobs.length === 1 ? "images" : "variations";
}

const KIND_LABEL: Record<BatchKind, (count: number) => string> = {
  "fan-out": (count) => `Fan-out · ${count} models`,
  variations: (count) => `${count} variations`,
  images: (count) => `Same edit · ${count} ${count === 1 ? "image" : "images"}`,
};

function modelLabels(job: JobDto, providers: ProviderDto[]) {
  const provider = providers.find((p) => p.id === job.provider);
  const model = provider?.models.find((m) => m.id === job.model);
  return { provider: provider?.label ?? job.provider, model: model?.label ?? job.model, price: model?.priceUsd ?? null };
}

function costText(job: JobDto, price: number | null): string {
  if (job.costUsd !== null) return formatPrice(job.costUsd);
  if (price === null || price === 0) return priceText(price);
  // Priced, but no cost recorded yet (queued, running) or none due (failed, canceled).
  return "—";
}

function JobCard({
  job,
  providers,
  selected,
  onToggle,
}: {
  job: JobDto;
  providers: ProviderDto[];
  selected: boolean;
  onToggle: () => void;
}) {
  const output = job.outputs[0];
  const input = job.inputs[0];
  const labels = modelLabels(job, providers);
  const active = isActive(job.status);
  const href = `/jobs/${job.id}`;
  return (
    <article
      className={`group flex flex-col overflow-hidden rounded-2xl border bg-zinc-900/40 transition-colors ${
        selected ? "border-sky-400/70" : "border-zinc-800/80 hover:border-zinc-700"
      }`}
      data-testid="batch-job"
      data-status={job.status}
      aria-label={`Seed ${job.seed}, ${labels.model}`}
    >
      <div className="relative">
        <Link href={href} className="checker relative block aspect-[4/3] overflow-hidden" aria-label={`Open the job with seed ${job.seed}`}>
          {output && job.status === "succeeded" ? (
            <img
              src={output.thumbUrl}
              alt={job.prompt}
              width={output.width}
              height={output.height}
              decoding="async"
              className="size-full object-contain transition-transform duration-300 group-hover:scale-[1.015]"
            />
          ) : (
            <span className="absolute inset-0 flex flex-col items-center justify-center gap-2 p-4 text-center">
              {input ? (
                <img src={input.thumbUrl} alt="" width={input.width} height={input.height} className="absolute inset-0 size-full object-contain opacity-20 blur-[2px]" />
              ) : null}
              {active ? (
                <>
                  <Spinner className="relative size-6 text-accent-300" />
                  <span className="relative text-xs text-zinc-300">{job.status === "queued" ? "Waiting for a slot…" : "Working on it…"}</span>
                </>
              ) : job.status === "failed" ? (
                <>
                  <AlertIcon className="relative size-5 text-red-300" />
                  <span className="relative line-clamp-3 text-xs text-red-200" data-testid="batch-error">
                    {job.error?.message || "The provider didn't return an image."}
                  </span>
                </>
              ) : (
                <span className="relative text-xs text-zinc-400">Canceled</span>
              )}
            </span>
          )}
        </Link>
        {job.outputs.length > 1 ? (
          <span className="pointer-events-none absolute right-2 top-2 rounded-md bg-zinc-950/75 px-1.5 py-0.5 text-[11px] font-semibold tabular-nums text-zinc-100 backdrop-blur">
            ×{job.outputs.length}
          </span>
        ) : null}
        {output?.favorite ? (
          <span className="pointer-events-none absolute bottom-2 right-2 rounded-md bg-zinc-950/75 p-1 text-accent-300 backdrop-blur">
            <JobStarIcon filled className="size-3" />
            <span className="sr-only">Favourite</span>
          </span>
        ) : null}
        {output && job.status === "succeeded" ? (
          <label
            // No hover on a touch screen: there the tick always shows, with a finger-sized target.
            className={`absolute left-2 top-2 flex h-7 items-center gap-1.5 rounded-md bg-zinc-950/80 px-2 text-xs text-zinc-200 backdrop-blur transition-opacity has-[:focus-visible]:opacity-100 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent-400 pointer-coarse:h-9 pointer-coarse:px-2.5 ${
              selected ? "opacity-100" : "opacity-0 group-hover:opacity-100 pointer-coarse:opacity-100"
            }`}
          >
            <input type="checkbox" checked={selected} onChange={onToggle} className="size-3.5 accent-sky-400" aria-label={`Select seed ${job.seed} for comparison`} />
            Compare
          </label>
        ) : null}
      </div>
      <div className="flex flex-1 flex-col gap-2 p-3.5">
        <div className="flex items-center justify-between gap-2 text-xs text-zinc-400">
          <StatusBadge status={job.status} />
          <ElapsedTime job={job} className="text-zinc-400" />
        </div>
        <p className="min-w-0 text-sm leading-snug">
          <span className="block truncate font-medium text-zinc-100" title={labels.model} data-testid="batch-model">
            {labels.model}
          </span>
          <span className="block truncate text-xs text-zinc-500" title={labels.provider}>
            {labels.provider}
          </span>
        </p>
        <dl className="mt-auto grid grid-cols-2 gap-2 border-t border-zinc-800/70 pt-2 text-xs">
          <div className="min-w-0">
            <dt className="text-zinc-500">Seed</dt>
            <dd className="truncate font-mono tabular-nums text-zinc-200" data-testid="batch-seed">
              {job.seed}
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-zinc-500">Cost</dt>
            <dd className="truncate tabular-nums text-zinc-200" data-testid="batch-cost">
              {costText(job, labels.price)}
            </dd>
          </div>
        </dl>
      </div>
    </article>
  );
}

/**
 * A batch side by side, updated while any job is still queued or running: variations or a
 * fan-out as cards with each job's status, model, seed, time and cost; the same edit on
 * several images as before/after pairs. Every finished image downloads as one zip.
 */
export function BatchView({ initial, providers }: { initial: Batch; providers: ProviderDto[] }) {
  const queryClient = useQueryClient();
  const live = useLiveJobs();
  const { data = initial } = useQuery({
    queryKey: queryKeys.batch(initial.batchId),
    queryFn: async ({ signal }) => {
      const sentAt = Date.now();
      const batch = await fetchBatch(initial.batchId, signal);
      return { ...batch, jobs: batch.jobs.map((job) => newerOf(job, sentAt)) };
    },
    // Jobs that changed between the render and now arrived on the event stream already.
    initialData: () => ({ ...initial, jobs: initial.jobs.map((job) => queryClient.getQueryData<JobDto>(queryKeys.job(job.id)) ?? job) }),
    staleTime: 0,
    refetchOnMount: (query) => readAgainOnMount(Boolean(query.state.data?.jobs.some((j) => isActive(j.status)))),
    // Pushed updates while the tab's event stream is up; polling only while it is down.
    refetchInterval: (query) => (!live && query.state.data?.jobs.some((j) => isActive(j.status)) ? POLL_MS : false),
  });
  // Output refs, not image ids: identical results (same recipe and seed) share one stored image.
  const [selected, setSelected] = useState<string[]>([]);
  const jobs = data.jobs;
  const activeCount = jobs.filter((j) => isActive(j.status)).length;
  const done = jobs.filter((j) => j.status === "succeeded").length;
  const failed = jobs.filter((j) => j.status === "failed").length;

  // Finished jobs belong in the studio's history and in each job's cached page.
  const wasActive = useRef(activeCount > 0);
  useEffect(() => {
    if (wasActive.current && activeCount === 0) void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
    wasActive.current = activeCount > 0;
    for (const job of jobs) queryClient.setQueryData(queryKeys.job(job.id), job);
  }, [activeCount, jobs, queryClient]);

  const first = jobs[0]!;
  const kind = batchKind(jobs);
  const input = kind === "images" ? undefined : first.inputs[0];
  const costs = jobs.map((j) => j.costUsd).filter((c): c is number => c !== null);
  const total = costs.reduce((sum, c) => sum + c, 0);
  const unknownCost = jobs.some((j) => j.status === "succeeded" && j.costUsd === null);

  function toggle(ref: string) {
    setSelected((old) => (old.includes(ref) ? old.filter((x) => x !== ref) : [...old, ref].slice(-2)));
  }

  const columns = kind === "images" ? "sm:grid-cols-2 xl:grid-cols-3" : jobs.length <= 2 ? "sm:grid-cols-2" : jobs.length <= 4 ? "sm:grid-cols-2 xl:grid-cols-4" : "sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4";

  return (
    <div className="pt-5" data-testid="batch-view" data-active={activeCount > 0 ? "true" : "false"}>
      <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm text-zinc-400 hover:text-zinc-100">
        <ArrowLeftIcon className="size-3.5" /> <span className="sr-only">Back to the</span> Studio
      </Link>
      <div className="mt-3 flex flex-wrap items-start gap-x-6 gap-y-4">
        {input ? (
          <figure className="hidden shrink-0 sm:block" title="The input image">
            <span className="checker block size-16 overflow-hidden rounded-xl ring-1 ring-zinc-800">
              <img src={input.thumbUrl} alt="The input image" width={input.width} height={input.height} className="size-full object-cover" />
            </span>
          </figure>
        ) : null}
        <div className="min-w-[min(100%,18rem)] flex-1">
          <p className="text-xs font-semibold uppercase tracking-wider text-accent-300">
            {KIND_LABEL[kind](jobs.length)}
          </p>
          <h1 className="mt-1 line-clamp-2 text-lg font-semibold leading-snug tracking-tight text-zinc-50 sm:text-xl" title={first.prompt}>
            {first.prompt}
          </h1>
          <p className="mt-1.5 flex flex-wrap gap-x-3 text-xs text-zinc-400" aria-live="polite" data-testid="batch-summary">
            <span>
              {done} of {jobs.length} done
            </span>
            {failed > 0 ? <span className="text-red-300">{failed} failed</span> : null}
            {activeCount > 0 ? <span className="text-accent-300">{activeCount} still working</span> : null}
            <MadeBy creator={first.createdBy} />
            {kind === "images" ? (
              <span>
                {modelLabels(first, providers).model} · seed <span className="font-mono">{first.seed}</span>
              </span>
            ) : null}
            <span>
              Total {costs.length > 0 ? formatPrice(total) : unknownCost ? "" : "—"}
              {unknownCost ? `${costs.length > 0 ? " + " : ""}${priceText(null)}` : ""}
            </span>
          </p>
          <div
            className="mt-2 h-1 max-w-md overflow-hidden rounded-full bg-zinc-800"
            role="progressbar"
            aria-label="Jobs finished"
            aria-valuemin={0}
            aria-valuemax={jobs.length}
            aria-valuenow={jobs.length - activeCount}
          >
            <div className="h-full bg-accent-400 transition-[width]" style={{ width: `${((jobs.length - activeCount) / jobs.length) * 100}%` }} />
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          {kind === "images" ? null : (
            <>
              <p className="hidden text-xs text-zinc-500 md:block">{selected.length < 2 ? "Tick two results to compare them." : "Ready to compare."}</p>
              {selected.length === 2 ? (
                <Link href={withFrom(compareUrl(selected[0]!, selected[1]!), `/batches/${data.batchId}`)} className={buttonPrimary} data-testid="batch-compare">
                  <CompareIcon className="size-3.5" /> Compare
                </Link>
              ) : (
                <button type="button" disabled className={buttonSecondary} title="Select two results first">
                  <CompareIcon className="size-3.5" /> Compare
                </button>
              )}
            </>
          )}
          {done > 0 ? (
            <a href={batchZipUrl(data.batchId)} download className={buttonSecondary} data-testid="batch-zip">
              <DownloadIcon className="size-3.5" /> Download all (zip)
            </a>
          ) : (
            <button type="button" disabled className={buttonSecondary} title="Nothing has finished yet">
              <DownloadIcon className="size-3.5" /> Download all (zip)
            </button>
          )}
        </div>
      </div>

      <ul className={`mt-6 grid gap-4 ${columns}`}>
        {jobs.map((job, index) => (
          <li key={job.id} className="flex">
            <div className="flex-1">
              {kind === "images" ? (
                <EditCard job={job} index={index} batchId={data.batchId} />
              ) : (
                <JobCard
                  job={job}
                  providers={providers}
                  selected={selected.includes(outputRef(job.id))}
                  onToggle={() => toggle(outputRef(job.id))}
                />
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
