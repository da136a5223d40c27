"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { lazy, Suspense, useEffect, useState } from "react";
import type { JobDto, OutputRef } from "@/lib/dto";
import { errorMessage, fetchRecipe, updateImageMeta } from "@/lib/client/api";
import { continueUrl, downloadUrl, outputRef } from "@/lib/client/urls";
import { queryKeys } from "@/lib/client/query-keys";
import { copyToClipboard } from "@/lib/client/clipboard";
import { ActionError } from "../ui/action-error";
import { CheckIcon, ClipboardIcon, CompareIcon, DownloadIcon, EditIcon, JobStarIcon, Spinner } from "../ui/icons";
import { NoteField } from "./note-field";
import { Popover } from "./popover";
import { buttonPrimary, buttonSecondary } from "../ui/button-styles";

const CompareWithPanel = lazy(() => import("./compare-with-panel"));

/** Applies a favourite/note change to the cached job, so every view of it agrees at once. */
function usePatchOutput(jobId: string) {
  const queryClient = useQueryClient();
  return (imageId: string, patch: Partial<Pick<OutputRef, "favorite" | "note">>) =>
    queryClient.setQueryData<JobDto>(queryKeys.job(jobId), (job) =>
      job ? { ...job, outputs: job.outputs.map((o) => (o.imageId === imageId ? { ...o, ...patch } : o)) } : job,
    );
}

function FavoriteButton({ jobId, output }: { jobId: string; output: OutputRef }) {
  const queryClient = useQueryClient();
  const patch = usePatchOutput(jobId);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function toggle() {
    const next = !output.favorite;
    setError(null);
    setPending(true);
    patch(output.imageId, { favorite: next });
    try {
      const saved = await updateImageMeta(output.imageId, { favorite: next });
      patch(output.imageId, { favorite: saved.favorite });
      void queryClient.invalidateQueries({ queryKey: queryKeys.lineageAll });
      void queryClient.invalidateQueries({ queryKey: queryKeys.galleryAll });
    } catch (e) {
      patch(output.imageId, { favorite: !next });
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }
  return (
    <>
      <button
        type="button"
        onClick={toggle}
        aria-pressed={output.favorite}
        title={output.favorite ? "Remove from favourites" : "Add to favourites"}
        disabled={pending}
        className={`inline-flex h-9 items-center justify-center gap-2 rounded-lg border px-3 text-sm font-medium transition-colors ${
          output.favorite
            ? "border-accent-400/40 bg-accent-400/10 text-accent-300 hover:bg-accent-400/20"
            : "border-zinc-700 bg-zinc-900 text-zinc-400 hover:border-zinc-500 hover:text-zinc-100"
        }`}
        data-testid="favorite"
      >
        <JobStarIcon filled={output.favorite} className="size-4" />
        Favourite
      </button>
      <ActionError message={error} />
    </>
  );
}

function CopyRecipeButton({ imageId }: { imageId: string }) {
  const [state, setState] = useState<"idle" | "busy" | "copied" | "error">("idle");
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  async function copy() {
    setState("busy");
    try {
      const recipe = await fetchRecipe(imageId);
      const ok = await copyToClipboard(JSON.stringify(recipe, null, 2));
      setState(ok ? "copied" : "error");
      setMessage(ok ? "" : "The browser didn't allow copying.");
    } catch (e) {
      setState("error");
      setMessage(errorMessage(e));
    }
  }
  return (
    <>
      <button type="button" onClick={copy} disabled={state === "busy"} className={buttonSecondary} title="Copy this image's recipe as JSON">
        {state === "busy" ? (
          <Spinner className="size-3.5" />
        ) : state === "copied" ? (
          <CheckIcon className="size-3.5 text-emerald-400" />
        ) : (
          <ClipboardIcon className="size-3.5" />
        )}
        {state === "copied" ? "Copied" : "Copy recipe"}
      </button>
      <span className="sr-only" aria-live="polite">
        {state === "copied" ? "Recipe copied to the clipboard" : ""}
      </span>
      {state === "error" ? (
        <span role="alert" className="text-xs text-red-300">
          {message}
        </span>
      ) : null}
    </>
  );
}

/** What a designer does with one result: keep it, note it, take it further, hand it off. */
export function OutputActions({ job, output, index }: { job: JobDto; output: OutputRef; index: number }) {
  const many = job.outputs.length > 1;
  const patch = usePatchOutput(job.id);
  return (
    <section aria-label={many ? `Image ${index + 1}` : "This image"} className="mt-5 rounded-2xl border border-zinc-800/80 bg-zinc-900/40 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={continueUrl(output.imageId)} className={buttonPrimary}>
          <EditIcon className="size-3.5" />
          Continue editing<span className="sr-only">: edit this result in the studio</span>
        </Link>
        <a href={downloadUrl(output.imageId)} download className={buttonSecondary} title="Download with the recipe embedded in the file">
          <DownloadIcon className="size-3.5" />
          Download
        </a>
        <CopyRecipeButton key={output.imageId} imageId={output.imageId} />
        <Popover
          label="Compare with…"
          panelLabel="Compare with another image"
          triggerClassName={buttonSecondary}
          trigger={
            <>
              <CompareIcon className="size-3.5" />
              Compare with…
            </>
          }
        >
          {() => (
            <Suspense
              fallback={
                <p className="flex w-[22rem] items-center gap-2 text-xs text-zinc-500">
                  <Spinner className="size-3.5" /> Loading…
                </p>
              }
            >
              <CompareWithPanel job={job} imageId={output.imageId} self={outputRef(job.id, index)} />
            </Suspense>
          )}
        </Popover>
        <span className="ml-auto flex items-center gap-2">
          <FavoriteButton jobId={job.id} output={output} />
        </span>
      </div>
      <NoteField
        key={output.imageId}
        output={output}
        label={many ? `Note on image ${index + 1}` : "Note"}
        onSaved={(note) => patch(output.imageId, { note })}
      />
    </section>
  );
}
