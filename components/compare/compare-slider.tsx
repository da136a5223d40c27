"use client";

import { type KeyboardEvent, useCallback, useLayoutEffect, useRef, useState } from "react";
import type { CompareImage } from "./hooks";
import { ProgressiveImage } from "./progressive-image";
import { PaneLabel, paneImageClass, ZoomLayer, ZoomPane } from "./zoom-pane";
import type { ZoomPan } from "./zoom-pan";

const clamp = (v: number) => Math.min(100, Math.max(0, v));

/** The slider's key handling, shared with the compare view's own shortcuts. */
export function sliderKey(key: string, position: number, shift: boolean): number | null {
  const step = shift ? 10 : 5;
  switch (key) {
    case "ArrowLeft":
    case "ArrowDown":
      return clamp(position - step);
    case "ArrowRight":
    case "ArrowUp":
      return clamp(position + step);
    case "Home":
      return 0;
    case "End":
      return 100;
    case "PageDown":
      return clamp(position - 25);
    case "PageUp":
      return clamp(position + 25);
    default:
      return null;
  }
}

/**
 * Before/after with a draggable divider over one zoomable viewport. Both images fill the
 * same box (the "after" image's ratio) with object-fit: contain, so the divider compares the
 * same region even when the two differ in size or ratio. The divider stays put on screen
 * while the images zoom and pan under it. At fit, a press anywhere moves the divider; zoomed
 * in, a drag pans and the handle moves the divider.
 */
export function CompareSlider({
  before,
  after,
  zoom,
  position,
  onPosition,
  maxHeight,
  pixelated,
  zoomed,
}: {
  before: CompareImage;
  after: CompareImage;
  zoom: ZoomPan;
  position: number;
  onPosition: (position: number) => void;
  maxHeight: string;
  pixelated: boolean;
  zoomed: boolean;
}) {
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<HTMLDivElement>(null);
  const latest = useRef(onPosition);
  useLayoutEffect(() => {
    latest.current = onPosition;
  });

  const moveTo = useCallback((clientX: number) => {
    const rect = box.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    latest.current(clamp(((clientX - rect.left) / rect.width) * 100));
  }, []);

  const onPress = useCallback(
    (event: PointerEvent) => {
      const element = box.current;
      const onHandle = (event.target as Element | null)?.closest("[data-divider]");
      if (!element || (!onHandle && zoom.isZoomed())) return false;
      event.preventDefault();
      element.setPointerCapture(event.pointerId);
      setDragging(true);
      if (!onHandle) moveTo(event.clientX);
      handle.current?.focus({ preventScroll: true });
      const move = (e: PointerEvent) => {
        if (e.pointerId === event.pointerId) moveTo(e.clientX);
      };
      const end = (e: PointerEvent) => {
        if (e.pointerId !== event.pointerId) return;
        if (element.hasPointerCapture(e.pointerId)) element.releasePointerCapture(e.pointerId);
        element.removeEventListener("pointermove", move);
        element.removeEventListener("pointerup", end);
        element.removeEventListener("pointercancel", end);
        setDragging(false);
      };
      element.addEventListener("pointermove", move);
      element.addEventListener("pointerup", end);
      element.addEventListener("pointercancel", end);
      return true;
    },
    [moveTo, zoom],
  );

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const next = sliderKey(event.key, position, event.shiftKey);
    if (next === null) return;
    event.preventDefault();
    onPosition(next);
  }

  const rounded = Math.round(position);
  const imgClass = paneImageClass(pixelated);

  return (
    <ZoomPane
      zoom={zoom}
      image={after}
      maxHeight={maxHeight}
      zoomed={zoomed}
      cursor={dragging || !zoomed ? "cursor-ew-resize" : undefined}
      onPress={onPress}
      viewportRef={box}
      testId="compare-slider"
      layer={<ProgressiveImage image={after} className={imgClass} />}
    >
      <div className="absolute inset-0" style={{ clipPath: `inset(0 ${100 - position}% 0 0)` }}>
        <div className="checker absolute inset-0" />
        <ZoomLayer zoom={zoom}>
          <ProgressiveImage image={before} className={imgClass} />
        </ZoomLayer>
      </div>

      <PaneLabel className="left-3 max-w-[45%]">{before.label}</PaneLabel>
      <PaneLabel className="right-3 max-w-[45%]">{after.label}</PaneLabel>

      <div
        className="pointer-events-none absolute inset-y-0 -ml-px w-0.5 bg-zinc-50/90 shadow-[0_0_0_1px_rgb(0_0_0/0.3)]"
        style={{ left: `${position}%` }}
      />
      <div
        ref={handle}
        role="slider"
        tabIndex={0}
        aria-label="Before and after divider"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={`${rounded}% ${before.label.toLowerCase()}`}
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        data-divider=""
        data-no-zoom=""
        className="absolute top-1/2 flex size-10 -translate-x-1/2 -translate-y-1/2 cursor-ew-resize items-center justify-center rounded-full border-2 border-zinc-50 bg-zinc-950/70 text-zinc-50 shadow-lg backdrop-blur focus-visible:outline-accent-400"
        style={{ left: `${position}%` }}
        data-testid="compare-handle"
      >
        <svg viewBox="0 0 24 24" className="size-4" aria-hidden="true">
          <path d="m9 7-5 5 5 5M15 7l5 5-5 5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
    </ZoomPane>
  );
}
