"use client";

import { useRef } from "react";
import { boxStyle, type CompareImage, useBoxSize, useGestures, zoomPercent } from "./hooks";
import { ProgressiveImage } from "./progressive-image";
import type { ZoomPan } from "./zoom-pan";

function Pane({
  image,
  ratio,
  zoom,
  scale,
  maxHeight,
}: {
  image: CompareImage;
  ratio: number;
  zoom: ZoomPan;
  scale: number;
  maxHeight: string;
}) {
  const viewport = useRef<HTMLDivElement>(null);
  const size = useBoxSize(viewport);
  useGestures(viewport, zoom, image);
  const percent = zoomPercent(image, scale, size);
  const zoomed = scale > 1.0001;
  return (
    <figure className="min-w-0">
      <div
        ref={viewport}
        tabIndex={-1}
        className={`checker relative mx-auto touch-none select-none overflow-hidden rounded-xl outline-none ring-1 ring-zinc-800 ${
          zoomed ? "cursor-grab data-[panning=true]:cursor-grabbing" : "cursor-zoom-in"
        }`}
        style={boxStyle(ratio, maxHeight)}
        data-testid="pane"
      >
        <div ref={zoom.attach} className="absolute inset-0 origin-top-left will-change-transform">
          <ProgressiveImage image={image} className={`absolute inset-0 size-full object-contain ${percent >= 300 ? "[image-rendering:pixelated]" : ""}`} />
        </div>
        <span className="pointer-events-none absolute left-3 top-3 max-w-[70%] truncate rounded-md bg-zinc-950/75 px-2 py-1 text-xs font-medium text-zinc-200 backdrop-blur">
          {image.label}
        </span>
      </div>
      <figcaption className="mx-auto mt-2 flex justify-between gap-3 text-xs text-zinc-400" style={{ maxWidth: boxStyle(ratio, maxHeight).width }}>
        <span className="truncate font-medium text-zinc-300">{image.label}</span>
        <span className="flex shrink-0 gap-3 tabular-nums">
          <span>
            {image.width} × {image.height}
          </span>
          <span className="text-zinc-500" data-testid="pane-zoom" aria-label={`${image.label} zoom`}>
            {percent} %
          </span>
        </span>
      </figcaption>
    </figure>
  );
}

/**
 * The two images next to each other, each contained in a box of the same ratio (the
 * second image's), with zoom and pan locked together across both panes.
 */
export function SideBySide({
  before,
  after,
  zoom,
  scale,
  maxHeight,
}: {
  before: CompareImage;
  after: CompareImage;
  zoom: ZoomPan;
  scale: number;
  maxHeight: string;
}) {
  const ratio = after.width / after.height;
  return (
    <div className="grid gap-3 sm:grid-cols-2" data-testid="side-by-side">
      <Pane image={before} ratio={ratio} zoom={zoom} scale={scale} maxHeight={maxHeight} />
      <Pane image={after} ratio={ratio} zoom={zoom} scale={scale} maxHeight={maxHeight} />
    </div>
  );
}
