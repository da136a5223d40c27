"use client";

import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { usePathname } from "next/navigation";
import type { JobDto, OutputRef } from "@/lib/dto";
import { withFrom } from "@/lib/client/back-link";
import { compareUrl } from "@/lib/client/urls";
import { boxStyle } from "../compare/hooks";

/** The comparison (zoom, slider, canvas difference) loads after the page: it isn't first-load JS. */
const CompareView = lazy(() => import("../compare/compare-view").then((m) => ({ default: m.CompareView })));

/**
 * As tall as the window allows while the page header and title above, and the output picker
 * and the main actions (Continue editing, Download) below, stay in view on a laptop screen.
 */
const maxHeightFor = (withPicker: boolean) => `max(18rem, calc(100dvh - ${withPicker ? 29 : 24}rem))`;

function SingleImage({ image, alt, maxHeight, testId }: { image: OutputRef; alt: string; maxHeight: string; testId?: string }) {
  return (
    <div className="checker relative mx-auto overflow-hidden rounded-xl ring-1 ring-zinc-800" style={boxStyle(image.width / image.height, maxHeight)}>
      <img
        src={image.url}
        alt={alt}
        width={image.width}
        height={image.height}
        className="absolute inset-0 size-full object-contain"
        data-testid={testId}
      />
    </div>
  );
}

/** What shows until the comparison has loaded: the same box and toolbar height, no jump. */
function Pending({ output, alt, maxHeight }: { output: OutputRef; alt: string; maxHeight: string }) {
  return (
    <div aria-busy="true">
      <div className="mb-3 flex h-9 items-center justify-between">
        <div className="h-9 w-64 rounded-lg border border-zinc-800 bg-zinc-900" />
        <div className="h-9 w-56 rounded-lg border border-zinc-800 bg-zinc-900" />
      </div>
      <SingleImage image={output} alt={alt} maxHeight={maxHeight} />
    </div>
  );
}

/**
 * The result. With an input, a comparison (slider, side by side, difference, result alone)
 * with shared zoom and pan; without one, the image itself.
 */
export function ResultViewer({
  input,
  output,
  compareRef,
  alt,
  withPicker = false,
  regionMaskUrl = null,
}: {
  input: JobDto["inputs"][number] | undefined;
  output: OutputRef;
  /** The output as /compare addresses it (outputRef): the image alone could name another job that made it too. */
  compareRef: string;
  alt: string;
  /** The job has several outputs: the picker under the image takes room too. */
  withPicker?: boolean;
  /** A region edit's mask, to outline the painted region on request. */
  regionMaskUrl?: string | null;
}) {
  const maxHeight = maxHeightFor(withPicker);
  const pathname = usePathname();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const before = useMemo(
    () => (input ? { url: input.url, thumbUrl: input.thumbUrl, width: input.width, height: input.height, label: "Before", alt: "Before: the input image" } : null),
    [input],
  );
  const after = useMemo(
    () => ({ url: output.url, thumbUrl: output.thumbUrl, width: output.width, height: output.height, label: "After", alt: `After: ${alt}` }),
    [output, alt],
  );

  if (!before || !input) return <SingleImage image={output} alt={alt} maxHeight={maxHeight} testId="result-image" />;
  if (!mounted) return <Pending output={output} alt={after.alt} maxHeight={maxHeight} />;
  return (
    <Suspense fallback={<Pending output={output} alt={after.alt} maxHeight={maxHeight} />}>
      <CompareView
        a={before}
        b={after}
        maxHeight={maxHeight}
        withResult
        globalKeys
        expandHref={withFrom(compareUrl(input.imageId, compareRef), pathname)}
        regionMaskUrl={regionMaskUrl}
      />
    </Suspense>
  );
}
