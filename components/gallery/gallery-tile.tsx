"use client";

import Link from "next/link";
import { memo, type MouseEvent, type ReactNode } from "react";
import type { JobDto } from "@/lib/dto";
import { STATUS_LABEL } from "@/lib/client/jobs";
import { ratioLabel } from "@/lib/client/format";
import { AlertIcon, CheckIcon, Spinner, StarIcon } from "../ui/icons";
import { makerName, useMe } from "../ui/me";

type Props = {
  job: JobDto;
  index: number;
  selecting: boolean;
  selected: boolean;
  /** A click in select mode, or a shift-click anywhere. */
  onSelect: (index: number, range: boolean) => void;
  onFavorite: (job: JobDto) => void;
};

export const isFavorite = (job: JobDto) => job.outputs.some((o) => o.favorite);

/**
 * One job in the history grid: a thumbnail (fixed square, so nothing moves while it loads)
 * that opens the job page, a favourite star, and a selection state.
 */
export const GalleryTile = memo(function GalleryTile({ job, index, selecting, selected, onSelect, onFavorite }: Props) {
  const output = job.outputs[0];
  const favorite = isFavorite(job);
  const ring = selected
    ? "ring-2 ring-accent-400"
    : job.status === "failed"
      ? "ring-1 ring-red-900/60 hover:ring-red-700"
      : "ring-1 ring-zinc-800 hover:ring-zinc-600";
  const tileClass = `group/tile relative block size-full overflow-hidden rounded-xl text-left transition focus-visible:outline-offset-2 ${
    job.status === "failed" ? "bg-red-950/30" : "bg-zinc-900"
  } ${ring}`;
  // The first rows are above the fold: fetch them at once instead of waiting for layout.
  const body = <TileBody job={job} eager={index < EAGER_TILES} />;

  const onClick = (event: MouseEvent) => {
    if (selecting || event.shiftKey) {
      event.preventDefault();
      onSelect(index, event.shiftKey);
    }
  };

  return (
    <div className="group relative size-full" data-selected={selected || undefined}>
      {selecting ? (
        <button
          type="button"
          aria-pressed={selected}
          onClick={onClick}
          className={tileClass}
          data-testid="gallery-tile"
          data-status={job.status}
          data-job-id={job.id}
        >
          {body}
        </button>
      ) : (
        <Link
          href={`/jobs/${job.id}`}
          onClick={onClick}
          className={tileClass}
          data-testid="gallery-tile"
          data-status={job.status}
          data-job-id={job.id}
        >
          {body}
        </Link>
      )}

      {selecting ? (
        <span
          aria-hidden="true"
          className={`pointer-events-none absolute left-2 top-2 flex size-5 items-center justify-center rounded-md ring-1 transition-colors ${
            selected ? "bg-accent-400 text-ink ring-accent-400" : "bg-zinc-950/60 text-transparent ring-zinc-400/70 backdrop-blur"
          }`}
        >
          <CheckIcon className="size-3.5" strokeWidth={3} />
        </span>
      ) : null}

      {output ? (
        <button
          type="button"
          onClick={() => onFavorite(job)}
          aria-pressed={favorite}
          aria-label="Favourite"
          title={favorite ? "Remove from favourites" : "Add to favourites"}
          data-testid="favorite-toggle"
          // A touch screen has no hover to reveal it: there it always shows, finger-sized.
          className={`absolute right-1.5 top-1.5 flex size-7 items-center justify-center rounded-lg transition pointer-coarse:size-9 ${
            favorite
              ? "bg-zinc-950/60 text-accent-400 backdrop-blur"
              : "bg-zinc-950/60 text-zinc-200 opacity-0 backdrop-blur hover:text-accent-300 focus-visible:opacity-100 group-hover:opacity-100 pointer-coarse:opacity-100"
          }`}
        >
          <StarIcon filled={favorite} className="size-4" />
        </button>
      ) : null}
    </div>
  );
});

function Badge({ children, className = "" }: { children: ReactNode; className?: string }) {
  return (
    <span className={`rounded-md bg-zinc-950/75 px-1.5 py-0.5 text-[11px] font-semibold tabular-nums text-zinc-100 backdrop-blur ${className}`}>
      {children}
    </span>
  );
}

const EAGER_TILES = 8;

/** Who made it, in team mode only: "me", or the maker's email. */
function Maker({ job, leading = true }: { job: JobDto; leading?: boolean }) {
  const me = useMe();
  if (me === null || !job.createdBy) return null;
  return (
    <span data-testid="tile-maker">
      {leading ? " · " : ""}by {makerName(job.createdBy, me)}
    </span>
  );
}

function TileBody({ job, eager }: { job: JobDto; eager: boolean }) {
  const output = job.outputs[0];
  const input = job.inputs[0];

  if (job.status === "succeeded" && output) {
    return (
      <>
        <img
          src={output.thumbUrl}
          alt={job.prompt}
          width={output.width}
          height={output.height}
          loading={eager ? "eager" : "lazy"}
          fetchPriority={eager ? "high" : "auto"}
          decoding="async"
          draggable={false}
          className="size-full object-cover transition-transform duration-300 group-hover/tile:scale-[1.02]"
        />
        <span className="pointer-events-none absolute bottom-2 left-2 flex gap-1 transition-opacity group-hover/tile:opacity-0 group-focus-visible/tile:opacity-0">
          {job.outputs.length > 1 ? <Badge>×{job.outputs.length}</Badge> : null}
          {job.mode === "edit" ? <Badge className="font-medium text-zinc-300">Edit</Badge> : null}
        </span>
        <span className="pointer-events-none absolute inset-x-0 bottom-0 translate-y-1 bg-gradient-to-t from-zinc-950/95 via-zinc-950/70 to-transparent p-2.5 pt-8 opacity-0 transition group-hover/tile:translate-y-0 group-hover/tile:opacity-100 group-focus-visible/tile:translate-y-0 group-focus-visible/tile:opacity-100">
          <span className="line-clamp-2 text-xs leading-snug text-zinc-100">{job.prompt}</span>
          <span className="mt-1 block truncate text-[11px] text-zinc-400">
            {ratioLabel(job.aspectRatio)} · {output.width} × {output.height}
            <Maker job={job} />
          </span>
        </span>
      </>
    );
  }

  const failed = job.status === "failed";
  return (
    <span className="flex size-full flex-col p-3">
      {input && !failed ? (
        <img
          src={input.thumbUrl}
          alt=""
          width={input.width}
          height={input.height}
          loading="lazy"
          draggable={false}
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
      {job.createdBy ? (
        <span className="relative mt-1 truncate text-[11px] text-zinc-500">
          <Maker job={job} leading={false} />
        </span>
      ) : null}
    </span>
  );
}
