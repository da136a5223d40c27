"use client";

import { type KeyboardEvent, type PointerEvent, useRef, useState } from "react";

type Img = { url: string; width: number; height: number };

const clamp = (v: number) => Math.min(100, Math.max(0, v));

/**
 * Before/after with a draggable divider. Both images fill the same box (the output's
 * aspect ratio) with object-fit: contain, so the divider compares the same region even
 * when input and output differ in size or ratio.
 */
export function CompareSlider({ before, after, alt }: { before: Img; after: Img; alt: string }) {
  const [position, setPosition] = useState(50);
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<HTMLDivElement>(null);

  function moveTo(clientX: number) {
    const rect = box.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    setPosition(clamp(((clientX - rect.left) / rect.width) * 100));
  }

  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragging(true);
    moveTo(event.clientX);
    handle.current?.focus({ preventScroll: true });
  }

  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    if (dragging) moveTo(event.clientX);
  }

  function endDrag(event: PointerEvent<HTMLDivElement>) {
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    setDragging(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const step = event.shiftKey ? 10 : 5;
    const next =
      event.key === "ArrowLeft" || event.key === "ArrowDown"
        ? position - step
        : event.key === "ArrowRight" || event.key === "ArrowUp"
          ? position + step
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? 100
              : event.key === "PageDown"
                ? position - 25
                : event.key === "PageUp"
                  ? position + 25
                  : null;
    if (next === null) return;
    event.preventDefault();
    setPosition(clamp(next));
  }

  const ratio = after.width / after.height;
  const rounded = Math.round(position);

  return (
    <div
      ref={box}
      className={`checker relative mx-auto touch-none select-none overflow-hidden rounded-xl ${dragging ? "cursor-grabbing" : "cursor-ew-resize"}`}
      style={{ aspectRatio: `${after.width} / ${after.height}`, width: `min(100%, calc(72vh * ${ratio.toFixed(4)}))` }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      data-testid="compare-slider"
    >
      <img
        src={after.url}
        alt={`After: ${alt}`}
        width={after.width}
        height={after.height}
        draggable={false}
        className="absolute inset-0 size-full object-contain"
      />
      <div className="absolute inset-0" style={{ clipPath: `inset(0 ${100 - position}% 0 0)` }}>
        <div className="checker absolute inset-0" />
        <img
          src={before.url}
          alt="Before: the input image"
          width={before.width}
          height={before.height}
          draggable={false}
          className="absolute inset-0 size-full object-contain"
        />
      </div>

      <span className="pointer-events-none absolute left-3 top-3 rounded-md bg-zinc-950/75 px-2 py-1 text-xs font-medium text-zinc-200 backdrop-blur">
        Before
      </span>
      <span className="pointer-events-none absolute right-3 top-3 rounded-md bg-zinc-950/75 px-2 py-1 text-xs font-medium text-zinc-200 backdrop-blur">
        After
      </span>

      <div className="pointer-events-none absolute inset-y-0 -ml-px w-0.5 bg-white/90 shadow-[0_0_0_1px_rgb(0_0_0/0.3)]" style={{ left: `${position}%` }} />
      <div
        ref={handle}
        role="slider"
        tabIndex={0}
        aria-label="Before and after divider"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={`${rounded}% before`}
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        className="absolute top-1/2 flex size-10 -translate-x-1/2 -translate-y-1/2 items-center justify-center rounded-full border-2 border-white bg-zinc-950/70 text-white shadow-lg backdrop-blur focus-visible:outline-accent-400"
        style={{ left: `${position}%` }}
        data-testid="compare-handle"
      >
        <svg viewBox="0 0 24 24" className="size-4" aria-hidden="true">
          <path d="m9 7-5 5 5 5M15 7l5 5-5 5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
    </div>
  );
}
