"use client";

import Link from "next/link";
import type { JobDto } from "@/lib/dto";
import { withFrom } from "@/lib/client/back-link";
import { compareUrl, outputRef } from "@/lib/client/urls";
import { Spinner } from "../ui/icons";
import { lineageImages, useLineage } from "../lineage/lineage-data";

/** `ref` is what /compare is given: this job's outputs by output ref, so their side keeps this job's recipe and mask. */
type Choice = { imageId: string; ref: string; thumbUrl: string; width: number; height: number; label: string; title: string };

/** Every other image of this image's lineage (and of this job), each opening /compare against `self` (the shown output's ref). */
export default function CompareWithPanel({ job, imageId, self }: { job: JobDto; imageId: string; self: string }) {
  const { data, isPending, error } = useLineage(job.outputs[0]?.imageId ?? job.inputs[0]?.imageId ?? null);
  const choices: Choice[] = [];
  const seen = new Set([imageId]);
  const add = (choice: Choice) => {
    if (seen.has(choice.imageId)) return;
    seen.add(choice.imageId);
    choices.push(choice);
  };
  for (const input of job.inputs) add({ ...input, ref: input.imageId, label: "Input", title: "This job's input" });
  job.outputs.forEach((output, i) => add({ ...output, ref: outputRef(job.id, i), label: `Output ${i + 1}`, title: `Output ${i + 1} of this job` }));
  for (const node of data ? lineageImages(data) : []) {
    add({ ...node, ref: node.imageId, label: node.prompt ?? "Original upload", title: node.prompt ?? "Original upload" });
  }

  return (
    <div className="w-[22rem] max-w-[calc(100vw-2rem)]">
      <p className="text-sm font-medium text-zinc-100">Compare with…</p>
      <p className="mt-0.5 text-xs text-zinc-400">Pick an image from this lineage.</p>
      {choices.length > 0 ? (
        <ul className="mt-3 grid max-h-72 grid-cols-3 gap-2 overflow-y-auto pr-1">
          {choices.map((choice) => (
            <li key={choice.imageId}>
              <Link
                href={withFrom(compareUrl(self, choice.ref), `/jobs/${job.id}`)}
                title={choice.title}
                className="group block rounded-lg focus-visible:outline-offset-1"
                data-testid="compare-choice"
              >
                <span className="checker block aspect-[4/3] overflow-hidden rounded-lg ring-1 ring-zinc-700 transition group-hover:ring-accent-400">
                  <img src={choice.thumbUrl} alt="" width={choice.width} height={choice.height} loading="lazy" className="size-full object-cover" />
                </span>
                <span className="mt-1 block truncate text-[11px] text-zinc-400 group-hover:text-zinc-100">{choice.label}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {isPending && job.outputs.length + job.inputs.length > 0 ? (
        <p className="mt-3 flex items-center gap-2 text-xs text-zinc-500">
          <Spinner className="size-3.5" /> Loading the lineage…
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="mt-3 text-xs text-red-300">
          Couldn&apos;t load the lineage.
        </p>
      ) : null}
      {!isPending && choices.length === 0 ? (
        <p className="mt-3 text-xs text-zinc-500">Nothing else to compare with yet. Continue editing to grow the lineage.</p>
      ) : null}
    </div>
  );
}
