"use client";

import { useLayoutEffect, useRef, useState } from "react";
import type { CompareImage } from "./hooks";

/**
 * The thumbnail at once, then the full image in its place once it has arrived, so the
 * comparison is usable before a large original has downloaded. The full image loads in the
 * same element all along (hidden until then), so the swap never fetches it twice.
 */
export function ProgressiveImage({ image, className, testId }: { image: CompareImage; className: string; testId?: string }) {
  const full = useRef<HTMLImageElement>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  // It may have finished (cache, or before hydration) without an onLoad reaching React.
  useLayoutEffect(() => {
    const element = full.current;
    if (element?.complete && element.naturalWidth > 0) setLoaded(image.url);
  }, [image.url]);
  const ready = !image.thumbUrl || loaded === image.url;
  return (
    <>
      {ready ? null : (
        <img src={image.thumbUrl} alt={image.alt} width={image.width} height={image.height} draggable={false} className={className} data-testid={testId} />
      )}
      <img
        ref={full}
        src={image.url}
        alt={ready ? image.alt : ""}
        aria-hidden={ready ? undefined : true}
        width={image.width}
        height={image.height}
        draggable={false}
        onLoad={() => setLoaded(image.url)}
        className={`${className} ${ready ? "" : "opacity-0"}`}
        data-testid={ready ? testId : undefined}
      />
    </>
  );
}
