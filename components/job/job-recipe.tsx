import type { ReactNode } from "react";
import type { JobDto, ProviderDto } from "@/lib/dto";
import { durationBetween, formatCost, formatDuration, modeLabel, PRICE_NOT_PUBLISHED, ratioLabel } from "@/lib/client/format";
import { CopyButton } from "../ui/copy-button";
import { LocalTime } from "../ui/local-time";

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_minmax(0,1fr)] items-baseline gap-3 py-2">
      <dt className="text-xs text-zinc-500">{term}</dt>
      <dd className="min-w-0 text-sm text-zinc-200">{children}</dd>
    </div>
  );
}

/** Everything needed to reproduce the job. */
export function JobRecipe({ job, provider }: { job: JobDto; provider: ProviderDto | undefined }) {
  const model = provider?.models.find((m) => m.id === job.model);
  const output = job.outputs[0];
  const input = job.inputs[0];
  const wait = durationBetween(job.createdAt, job.startedAt);
  const ran = durationBetween(job.startedAt, job.finishedAt);
  return (
    <div>
      <div className="mb-1 flex items-center justify-between">
        <h2 className="text-xs font-semibold uppercase tracking-wider text-zinc-500">Instruction</h2>
        <CopyButton text={job.prompt} label="Copy instruction" />
      </div>
      <p className="whitespace-pre-wrap break-words text-sm leading-relaxed text-zinc-100" data-testid="job-prompt">
        {job.prompt}
      </p>

      <h2 className="mb-1 mt-6 text-xs font-semibold uppercase tracking-wider text-zinc-500">Recipe</h2>
      <dl className="divide-y divide-zinc-800/70">
        <Row term="Provider">{provider?.label ?? job.provider}</Row>
        <Row term="Model">
          {model?.label ?? job.model} <span className="font-mono text-xs text-zinc-500">{job.model}</span>
        </Row>
        <Row term="Mode">{modeLabel(job.mode)}</Row>
        <Row term="Aspect ratio">
          {ratioLabel(job.aspectRatio)}
          {output ? (
            <span className="ml-2 tabular-nums text-zinc-500">
              → {output.width} × {output.height}
            </span>
          ) : null}
        </Row>
        <Row term="Seed">
          <span className="inline-flex items-center gap-1">
            <span className="font-mono tabular-nums" data-testid="job-seed">
              {job.seed}
            </span>
            <CopyButton text={String(job.seed)} label="Copy seed" />
          </span>
        </Row>
        <Row term="Images">{job.n}</Row>
        {input ? (
          <Row term="Input">
            <span className="tabular-nums">
              {input.width} × {input.height}
            </span>
          </Row>
        ) : null}
        <Row term="Created">
          <LocalTime iso={job.createdAt} />
        </Row>
        <Row term="Started">
          <LocalTime iso={job.startedAt} />
        </Row>
        <Row term="Finished">
          <LocalTime iso={job.finishedAt} />
        </Row>
        {wait !== null ? <Row term="Queued for">{formatDuration(wait)}</Row> : null}
        <Row term="Duration">{ran !== null ? formatDuration(ran) : "—"}</Row>
        <Row term="Cost">{job.status === "succeeded" && job.costUsd === null ? PRICE_NOT_PUBLISHED : formatCost(job.costUsd)}</Row>
      </dl>
    </div>
  );
}
