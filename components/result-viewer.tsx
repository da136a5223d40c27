"use client";

import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import type { ImageRef, OutputRef } from "@/lib/dto";

/** The comparison (zoom, slider, canvas difference) loads after the page: it isn't first-load JS. */
const CompareView = lazy(() => import("./compare/compare-view").then((m) => ({ default: m.CompareView })));

const MAX_HEIGHT = "72vh";

function SingleImage({ image, alt, testId }: { image: OutputRef; alt: string; testId?: string }) {
  const ratio = image.width / image.height;
  return (
    <div
      className="checker relative mx-auto overflow-hidden rounded-xl ring-1 ring-zinc-800"
      style={{ aspectRatio: `${image.width} / ${image.height}`, width: `min(100%, calc(${MAX_HEIGHT} * ${ratio.toFixed(4)}))` }}
    >
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
function Pending({ output, alt }: { output: OutputRef; alt: string }) {
  return (
    <div aria-busy="true">
      <div className="mb-3 flex h-9 items-center justify-between">
        <div className="h-9 w-64 rounded-lg border border-zinc-800 bg-zinc-900" />
        <div className="h-9 w-56 rounded-lg border border-zinc-800 bg-zinc-900" />
      </div>
      <SingleImage image={output} alt={alt} />
    </div>
  );
}

/**
 * The result. With an input, a comparison (slider, side by side, difference, result alone)
 * with shared zoom and pan; without one, the image itself.
 */
export function ResultViewer({ input, output, alt }: { input: ImageRef | undefined; output: OutputRef; alt: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const before = useMemo(
    () => (input ? { url: input.url, width: input.width, height: input.height, label: "Before", alt: "Before: the input image" } : null),
    [input],
  );
  const after = useMemo(
    () => ({ url: output.url, width: output.width, height: output.height, label: "After", alt: `After: ${alt}` }),
    [output, alt],
  );

  if (!before) return <SingleImage image={output} alt={alt} testId="result-image" />;
  if (!mounted) return <Pending output={output} alt={after.alt} />;
  return (
    <Suspense fallback={<Pending output={output} alt={after.alt} />}>
      <CompareView
        a={before}
        b={after}
        maxHeight={MAX_HEIGHT}
        withResult
        expandHref={input ? `/compare?a=${input.imageId}&b=${output.imageId}` : undefined}
      />
    </Suspense>
  );
}
