"use client";

import dynamic from "next/dynamic";
import Link from "next/link";
import { useState } from "react";
import type { JobDto, ProviderDto } from "@/lib/dto";
import { deleteJobs, errorMessage } from "@/lib/client/api";
import { compareUrl, exportUrl, outputRef } from "@/lib/client/urls";
import { GALLERY_ANCHOR, withFrom } from "@/lib/client/back-link";
import { ConfirmDialog } from "../ui/confirm-dialog";
import type { BatchImage } from "../batch/batch-images";
import { CloseIcon, CompareIcon, DownloadIcon, EditIcon, TrashIcon } from "../ui/icons";
import { useMe } from "../ui/me";

// The dialog (and react-dropzone with it) loads when first asked for, not with the gallery.
const loadDialog = () => import("../batch/apply-edit-dialog");
const ApplyEditDialog = dynamic(() => loadDialog().then((m) => m.ApplyEditDialog), { ssr: false });

/** Every image the picked jobs made, in picking order; identical images (one stored file) once. */
function selectedImages(jobs: JobDto[]): BatchImage[] {
  const images = new Map<string, BatchImage>();
  for (const job of jobs) {
    for (const o of job.outputs) {
      if (!images.has(o.imageId)) images.set(o.imageId, { id: o.imageId, thumbUrl: o.thumbUrl, width: o.width, height: o.height });
    }
  }
  return [...images.values()];
}

/** The gallery as it is filtered now (filters live in the URL), for the comparison's back link. */
const galleryHere = () => `${window.location.pathname}${window.location.search}${GALLERY_ANCHOR}`;

/**
 * The bar that floats over the gallery in select mode: how many are picked, and what to do
 * with them (apply one edit to each, download a zip, delete, compare two). Loaded only when
 * select mode starts.
 */
export function SelectionToolbar({
  selected,
  providers,
  onClear,
  onExit,
  onDeleted,
}: {
  /** In the order they were picked. */
  selected: JobDto[];
  providers: ProviderDto[];
  onClear: () => void;
  onExit: () => void;
  onDeleted: (ids: string[], result: { deleted: number; imagesRemoved: number }) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [applying, setApplying] = useState<BatchImage[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const count = selected.length;
  const ids = selected.map((job) => job.id);
  // A member deletes only their own jobs (the server refuses the rest): Delete covers those.
  const me = useMe();
  const deletable = me && !me.admin ? selected.filter((job) => job.createdBy?.id === me.accountId) : selected;
  const othersCount = count - deletable.length;
  const deleteIds = deletable.map((job) => job.id);
  const [first, second] = selected;
  // Each job's first output, by job: two jobs with identical results share one image id.
  const canCompare = count === 2 && first?.outputs[0] && second?.outputs[0];
  const withImages = selected.filter((job) => job.outputs.length > 0).length;
  const images = selectedImages(selected);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      const result = await deleteJobs(deleteIds);
      setConfirming(false);
      onDeleted(deleteIds, result);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const button =
    "inline-flex h-9 items-center gap-1.5 rounded-lg px-3 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-40";

  return (
    <>
      <div className="pointer-events-none fixed inset-x-0 bottom-5 z-40 flex justify-center px-4 lg:justify-end lg:px-6">
        <div
          role="toolbar"
          aria-label="Selection"
          data-testid="selection-toolbar"
          className="toast-in pointer-events-auto flex max-w-full flex-wrap items-center gap-1 rounded-2xl border border-zinc-700/80 bg-zinc-900/95 p-1.5 pl-4 shadow-2xl shadow-black/30 backdrop-blur"
        >
          <p className="mr-2 text-sm tabular-nums text-zinc-200" aria-live="polite" data-testid="selection-count">
            {count === 0 ? (
              <span className="text-zinc-400">Click images to select · shift-click for a range</span>
            ) : (
              <>
                <span className="font-semibold text-zinc-50">{count}</span> selected
                {othersCount > 0 ? <span className="text-zinc-500"> · {othersCount} someone else&apos;s</span> : null}
              </>
            )}
          </p>
          {canCompare ? (
            <Link
              href={withFrom(compareUrl(outputRef(first.id), outputRef(second.id)), galleryHere())}
              className={`${button} bg-zinc-800 text-zinc-100 hover:bg-zinc-700`}
            >
              <CompareIcon className="size-4" /> Compare
            </Link>
          ) : null}
          {count > 0 ? (
            <>
              <button
                type="button"
                onClick={() => setApplying(images)}
                onPointerEnter={() => void loadDialog()}
                onFocus={() => void loadDialog()}
                disabled={images.length === 0}
                title={images.length === 0 ? "None of these jobs has an image yet" : "The same edit on each selected image"}
                className={`${button} text-zinc-100 hover:bg-zinc-800`}
              >
                <EditIcon className="size-4" /> Apply an edit…
              </button>
              {withImages > 0 ? (
                <a href={exportUrl(ids)} download className={`${button} text-zinc-200 hover:bg-zinc-800`}>
                  <DownloadIcon className="size-4" /> Download zip
                </a>
              ) : null}
              <button
                type="button"
                onClick={() => setConfirming(true)}
                disabled={deletable.length === 0}
                title={
                  deletable.length === 0
                    ? `${count === 1 ? "This job is" : "These jobs are"} someone else's: you can delete only your own`
                    : othersCount > 0
                      ? `Deletes your ${deletable.length}; ${othersCount} ${othersCount === 1 ? "is" : "are"} someone else's`
                      : undefined
                }
                className={`${button} text-red-300 hover:bg-red-500/10`}
              >
                <TrashIcon className="size-4" /> Delete
              </button>
              <button type="button" onClick={onClear} className={`${button} text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100`}>
                Clear
              </button>
            </>
          ) : null}
          <span aria-hidden="true" className="mx-1 h-5 w-px bg-zinc-800" />
          <button
            type="button"
            onClick={onExit}
            className={`${button} w-9 justify-center px-0 text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100`}
            aria-label="Done selecting"
            title="Done (Esc)"
          >
            <CloseIcon className="size-4" />
          </button>
        </div>
      </div>

      {applying ? <ApplyEditDialog providers={providers} initialImages={applying} onClose={() => setApplying(null)} /> : null}

      <ConfirmDialog
        open={confirming}
        title={`Delete ${deletable.length} ${deletable.length === 1 ? "job" : "jobs"}?`}
        confirmLabel={busy ? "Deleting…" : "Delete"}
        busy={busy}
        error={error}
        onConfirm={() => void remove()}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        {othersCount > 0 ? (
          <p className="mb-2 text-amber-200" data-testid="not-yours">
            {othersCount} of the selected jobs {othersCount === 1 ? "is" : "are"} someone else&apos;s: they stay. You can delete only your own.
          </p>
        ) : null}
        <p>
          Their results and the image files are removed from disk. Input images that other jobs still use are kept.
          This can&apos;t be undone.
        </p>
        <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Jobs to delete">
          {deletable.slice(0, 12).map((job) => {
            const image = job.outputs[0] ?? job.inputs[0];
            return (
              <li key={job.id} className="checker size-10 overflow-hidden rounded-md ring-1 ring-zinc-800" title={job.prompt}>
                {image ? <img src={image.thumbUrl} alt="" width={image.width} height={image.height} className="size-full object-cover" /> : null}
              </li>
            );
          })}
          {deletable.length > 12 ? (
            <li className="flex h-10 items-center px-1 text-xs text-zinc-500">+{deletable.length - 12} more</li>
          ) : null}
        </ul>
      </ConfirmDialog>
    </>
  );
}
