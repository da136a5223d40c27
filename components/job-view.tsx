"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import type { JobDto, ProviderDto } from "@/lib/dto";
import type { JobStatus } from "@/lib/schemas";
import { MATCH_INPUT } from "@/lib/client/constants";
import { fetchJob } from "@/lib/client/api";
import { isActive, jobPollInterval, STATUS_LABEL } from "@/lib/client/jobs";
import { queryKeys } from "@/lib/client/query-keys";
import { CancelJobButton } from "./cancel-job-button";
import { ElapsedTime } from "./elapsed-time";
import { AlertIcon, ArrowLeftIcon, DownloadIcon, EditIcon, Spinner } from "./icons";
import { JobRecipe } from "./job-recipe";
import { OutputPicker } from "./output-picker";
import { ResultViewer } from "./result-viewer";
import { StatusBadge } from "./status-badge";

function Placeholder({ job }: { job: JobDto }) {
  const input = job.inputs[0];
  // The output's shape before it exists: the input's for "match input", else the chosen ratio.
  const [w, h] =
    job.aspectRatio === MATCH_INPUT
      ? input
        ? [input.width, input.height]
        : [1, 1]
      : (job.aspectRatio.split(":").map(Number) as [number, number]);
  const size = { width: w, height: h };
  const ratio = w / h;
  const active = isActive(job.status);
  return (
    <div
      className="checker relative mx-auto flex items-center justify-center overflow-hidden rounded-xl ring-1 ring-zinc-800"
      style={{ aspectRatio: `${size.width} / ${size.height}`, width: `min(100%, calc(72vh * ${ratio.toFixed(4)}))` }}
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
            <p className="text-sm text-zinc-200">
              {job.status === "queued" ? "Waiting for a free slot…" : "Working on it…"}{" "}
              <ElapsedTime job={job} className="text-zinc-400" />
            </p>
            <CancelJobButton jobId={job.id} />
          </>
        ) : job.status === "failed" ? (
          <>
            <span className="flex size-10 items-center justify-center rounded-full bg-red-500/10 text-red-300 ring-1 ring-red-500/30">
              <AlertIcon className="size-5" />
            </span>
            <p className="text-sm font-medium text-zinc-100">This job failed</p>
            <p className="text-sm text-red-200" data-testid="job-error">
              {job.error?.message || "The provider didn't return an image."}
            </p>
            {job.error?.code ? <p className="font-mono text-xs text-zinc-500">{job.error.code}</p> : null}
          </>
        ) : (
          <p className="text-sm text-zinc-300">This job was canceled before it finished.</p>
        )}
      </div>
    </div>
  );
}

export function JobView({ initialJob, providers }: { initialJob: JobDto; providers: ProviderDto[] }) {
  const queryClient = useQueryClient();
  const { data: job = initialJob } = useQuery({
    queryKey: queryKeys.job(initialJob.id),
    queryFn: ({ signal }) => fetchJob(initialJob.id, signal),
    initialData: initialJob,
    staleTime: 0,
    refetchOnMount: false,
    refetchInterval: (query) => jobPollInterval(query.state.data),
  });
  const [selected, setSelected] = useState(0);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  // When the job finishes here, the studio's history should show it next time.
  const previous = useRef<JobStatus>(job.status);
  useEffect(() => {
    if (isActive(previous.current) && !isActive(job.status)) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
    }
    previous.current = job.status;
  }, [job.status, queryClient]);

  const provider = providers.find((p) => p.id === job.provider);
  const output = job.outputs[Math.min(selected, job.outputs.length - 1)];
  const input = job.inputs[0];
  const outputIndex = output ? job.outputs.indexOf(output) : 0;

  return (
    <div className="pt-5" data-testid="job-view" data-ready={ready ? "true" : undefined}>
      <Link
        href="/"
        className="inline-flex items-center gap-1.5 rounded-md text-sm text-zinc-400 hover:text-zinc-100"
      >
        <ArrowLeftIcon className="size-3.5" /> Studio
      </Link>

      <div className="mt-3 flex flex-wrap items-start gap-x-6 gap-y-3">
        <div className="min-w-[min(100%,18rem)] flex-1">
          <div className="mb-2 flex items-center gap-2 text-xs text-zinc-400">
            <span aria-live="polite" aria-atomic="true" data-testid="job-status">
              <StatusBadge status={job.status} />
              <span className="sr-only">Status: {STATUS_LABEL[job.status]}</span>
            </span>
            <ElapsedTime job={job} />
          </div>
          <h1 className="line-clamp-2 text-lg font-semibold leading-snug tracking-tight text-zinc-50 sm:text-xl" title={job.prompt}>
            {job.prompt}
          </h1>
        </div>
        {output ? (
          <div className="flex shrink-0 flex-wrap items-center gap-2">
            <a
              href={output.url}
              download
              className="inline-flex h-9 items-center gap-2 rounded-lg border border-zinc-700 bg-zinc-900 px-3 text-sm font-medium text-zinc-200 hover:border-zinc-500 hover:text-white"
            >
              <DownloadIcon className="size-3.5" />
              Download{job.outputs.length > 1 ? ` ${outputIndex + 1}` : ""}
            </a>
            <Link
              href={`/?input=${output.imageId}`}
              className="inline-flex h-9 items-center gap-2 rounded-lg bg-accent-400 px-3 text-sm font-semibold text-zinc-950 hover:bg-accent-300"
            >
              <EditIcon className="size-3.5" />
              Edit this result
            </Link>
          </div>
        ) : null}
      </div>

      <div className="mt-6 grid gap-8 lg:grid-cols-[minmax(0,1fr)_340px] xl:grid-cols-[minmax(0,1fr)_380px]">
        <section aria-label="Result" className="min-w-0">
          {job.status === "succeeded" && output ? (
            <>
              <ResultViewer key={output.imageId} input={input} output={output} alt={job.prompt} />
              <OutputPicker outputs={job.outputs} selected={outputIndex} onSelect={setSelected} />
              {job.outputs.length > 1 ? (
                <ul className="mt-4 flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs text-zinc-400">
                  {job.outputs.map((o, i) => (
                    <li key={o.imageId}>
                      <a href={o.url} download className="inline-flex items-center gap-1 hover:text-zinc-100 hover:underline">
                        <DownloadIcon className="size-3" /> Image {i + 1}{" "}
                        <span className="tabular-nums text-zinc-500">
                          {o.width} × {o.height}
                        </span>
                      </a>
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          ) : (
            <Placeholder job={job} />
          )}
        </section>
        <aside className="rounded-2xl border border-zinc-800/80 bg-zinc-900/40 p-5 lg:self-start">
          <JobRecipe job={job} provider={provider} />
        </aside>
      </div>
    </div>
  );
}
