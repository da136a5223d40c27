import Link from "next/link";
import type { JobDto } from "@/lib/dto";
import { STATUS_LABEL } from "@/lib/client/jobs";
import { ratioLabel } from "@/lib/client/format";
import { AlertIcon, Spinner } from "./icons";

/** One job in the history grid; opens the job page. */
export function GalleryTile({ job }: { job: JobDto }) {
  const output = job.outputs[0];
  const input = job.inputs[0];
  const href = `/jobs/${job.id}`;
  const base = "group relative block aspect-square overflow-hidden rounded-xl ring-1 transition focus-visible:ring-0";
  const plain = "bg-zinc-900 ring-zinc-800 hover:ring-zinc-600";

  if (job.status === "succeeded" && output) {
    return (
      <Link href={href} className={`${base} ${plain}`} data-testid="gallery-tile" data-status={job.status}>
        <img
          src={output.thumbUrl}
          alt={job.prompt}
          width={output.width}
          height={output.height}
          loading="lazy"
          decoding="async"
          className="size-full object-cover transition-transform duration-300 group-hover:scale-[1.02]"
        />
        {job.outputs.length > 1 ? (
          <span className="absolute right-2 top-2 rounded-md bg-zinc-950/75 px-1.5 py-0.5 text-[11px] font-semibold tabular-nums text-zinc-100 backdrop-blur">
            ×{job.outputs.length}
          </span>
        ) : null}
        {job.mode === "edit" ? (
          <span className="absolute left-2 top-2 rounded-md bg-zinc-950/75 px-1.5 py-0.5 text-[11px] font-medium text-zinc-300 opacity-0 backdrop-blur transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100">
            Edit
          </span>
        ) : null}
        <span className="pointer-events-none absolute inset-x-0 bottom-0 translate-y-1 bg-gradient-to-t from-zinc-950/95 via-zinc-950/70 to-transparent p-2.5 pt-8 opacity-0 transition group-hover:translate-y-0 group-hover:opacity-100 group-focus-visible:translate-y-0 group-focus-visible:opacity-100">
          <span className="line-clamp-2 text-xs leading-snug text-zinc-100">{job.prompt}</span>
          <span className="mt-1 block text-[11px] text-zinc-400">
            {ratioLabel(job.aspectRatio)} · {output.width} × {output.height}
          </span>
        </span>
      </Link>
    );
  }

  const failed = job.status === "failed";
  return (
    <Link
      href={href}
      className={`${base} flex flex-col p-3 ${failed ? "bg-red-950/30 ring-red-900/60 hover:ring-red-700" : plain}`}
      data-testid="gallery-tile"
      data-status={job.status}
    >
      {input && !failed ? (
        <img
          src={input.thumbUrl}
          alt=""
          width={input.width}
          height={input.height}
          loading="lazy"
          className="absolute inset-0 size-full object-cover opacity-20 grayscale"
        />
      ) : null}
      <span
        className={`relative flex items-center gap-1.5 text-xs font-medium ${
          failed ? "text-red-300" : job.status === "canceled" ? "text-zinc-400" : "text-accent-300"
        }`}
      >
        {failed ? <AlertIcon className="size-3.5" /> : job.status === "canceled" ? null : <Spinner className="size-3.5" />}
        {STATUS_LABEL[job.status]}
      </span>
      {failed && job.error ? (
        <span className="relative mt-2 line-clamp-4 text-xs leading-snug text-red-200/90">{job.error.message}</span>
      ) : null}
      <span className="relative mt-auto line-clamp-3 text-xs leading-snug text-zinc-400">{job.prompt}</span>
    </Link>
  );
}
