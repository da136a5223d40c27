"use client";

import { useRef } from "react";
import { boxStyle, type CompareImage, useBoxSize, zoomPercent } from "./hooks";
import { ProgressiveImage } from "./progressive-image";
import { PaneLabel, paneImageClass, ZoomPane } from "./zoom-pane";
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
  const percent = zoomPercent(image, scale, size);
  return (
    <figure className="min-w-0">
      <ZoomPane
        zoom={zoom}
        image={image}
        ratio={ratio}
        maxHeight={maxHeight}
        zoomed={scale > 1.0001}
        viewportRef={viewport}
        testId="pane"
        layer={<ProgressiveImage image={image} className={paneImageClass(percent >= 300)} />}
      >
        <PaneLabel className="left-3 max-w-[70%]">{image.label}</PaneLabel>
      </ZoomPane>
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
