"use client";

import { type ReactNode, type RefObject, useContext, useEffect, useLayoutEffect, useRef } from "react";
import { boxStyle, type CompareImage, fitRatio } from "./hooks";
import { RegionMaskContext, RegionOutline } from "./region-overlay";
import { bindGestures, type ZoomPan } from "./zoom-pan";

/** Wheel/pinch/drag/double-click on the viewport in `ref`, driving `zoom`. */
function useGestures(ref: RefObject<HTMLElement | null>, zoom: ZoomPan, image: { width: number; height: number }, onPress?: (event: PointerEvent) => boolean) {
  const latest = useRef({ image, onPress });
  useLayoutEffect(() => {
    latest.current = { image, onPress };
  });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    return bindGestures(element, zoom, {
      fitPixelRatio: (rect) => fitRatio(latest.current.image, rect.width, rect.height),
      onPress: (event) => latest.current.onPress?.(event) ?? false,
    });
  }, [ref, zoom]);
}

/** The wrapper that follows the shared zoom and pan; a pane may hold more than one (the slider's two sides). */
export function ZoomLayer({ zoom, children }: { zoom: ZoomPan; children: ReactNode }) {
  return (
    <div ref={zoom.attach} className="absolute inset-0 origin-top-left will-change-transform">
      {children}
    </div>
  );
}

/**
 * The painted region over a pane: its edge as a line, and a faint tint inside, so the pixels
 * being judged keep their own colours. The tint is the mask PNG itself (the image's size, so
 * `contain` lines it up with the images under it); luminance masking reads both kinds of mask:
 * the painter's (white, strength in alpha) and an upload's (greyscale).
 */
function RegionOverlay({ zoom }: { zoom: ZoomPan }) {
  const url = useContext(RegionMaskContext);
  if (!url) return null;
  return (
    <div className="pointer-events-none absolute inset-0" data-testid="region-overlay">
      <ZoomLayer zoom={zoom}>
        <div className="absolute inset-0 bg-accent-400/10" style={{ mask: `url("${url}") center / contain no-repeat`, maskMode: "luminance" }} />
      </ZoomLayer>
      <RegionOutline zoom={zoom} maskUrl={url} />
    </div>
  );
}

/** How an image fills its pane; past 300 % its pixels show as squares, not a blur. */
export const paneImageClass = (pixelated: boolean) => `absolute inset-0 size-full object-contain ${pixelated ? "[image-rendering:pixelated]" : ""}`;

/**
 * One zoomable viewport of a comparison: a box of `ratio` (the compared image's by default)
 * that fits the width and `maxHeight`, with wheel, pinch, drag and double-click driving the
 * shared `zoom`. `layer` zooms and pans; `children` stay put on top (labels, the divider).
 * Every compare mode and the job page's result view is one or two of these.
 */
export function ZoomPane({
  zoom,
  image,
  ratio = image.width / image.height,
  maxHeight,
  zoomed,
  layer,
  children,
  background = "checker",
  cursor,
  onPress,
  viewportRef,
  testId,
}: {
  zoom: ZoomPan;
  /** The image whose pixels a double-click shows at 100 %. */
  image: CompareImage;
  ratio?: number;
  maxHeight: string;
  zoomed: boolean;
  layer: ReactNode;
  children?: ReactNode;
  background?: string;
  /** Replaces the zoom-in / grab cursor (the slider drags its divider at fit). */
  cursor?: string;
  /** May claim a pointer press before it pans, by returning true. */
  onPress?: (event: PointerEvent) => boolean;
  viewportRef?: RefObject<HTMLDivElement | null>;
  testId?: string;
}) {
  const own = useRef<HTMLDivElement>(null);
  const viewport = viewportRef ?? own;
  useGestures(viewport, zoom, image, onPress);
  return (
    <div
      ref={viewport}
      tabIndex={-1}
      className={`${background} relative mx-auto touch-none select-none overflow-hidden rounded-xl outline-none ring-1 ring-zinc-800 ${
        cursor ?? (zoomed ? "cursor-grab data-[panning=true]:cursor-grabbing" : "cursor-zoom-in")
      }`}
      style={boxStyle(ratio, maxHeight)}
      data-zoom-box=""
      data-testid={testId}
    >
      <ZoomLayer zoom={zoom}>{layer}</ZoomLayer>
      {children}
      {/* Above the slider's "before" side, which is one of the children. */}
      <RegionOverlay zoom={zoom} />
    </div>
  );
}

/** An image's name over a pane ("Before", "A"), placed by `className` (left-3, right-3, a max width). */
export function PaneLabel({ className, children }: { className: string; children: ReactNode }) {
  return (
    <span className={`pointer-events-none absolute top-3 truncate rounded-md bg-zinc-950/75 px-2 py-1 text-xs font-medium text-zinc-200 backdrop-blur ${className}`}>
      {children}
    </span>
  );
}
