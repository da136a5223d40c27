"use client";

import { type RefObject, useLayoutEffect, useState, useSyncExternalStore } from "react";
import type { ZoomPan } from "./zoom-pan";

export type CompareImage = {
  url: string;
  /** A small preview shown until `url` has loaded. */
  thumbUrl?: string;
  width: number;
  height: number;
  /** Short name shown on the image: "Before", "A", "Output 2". */
  label: string;
  /** The img alt text. */
  alt: string;
};

/** How many screen pixels one image pixel takes when the image is contained in the box. */
export function fitRatio(image: { width: number; height: number }, boxWidth: number, boxHeight: number): number {
  if (boxWidth <= 0 || boxHeight <= 0) return 1;
  return Math.min(boxWidth / image.width, boxHeight / image.height);
}

/** Zoom of `image` in percent of its real pixels, at `scale` × fit in a box this size. */
export function zoomPercent(image: { width: number; height: number }, scale: number, box: { width: number; height: number }): number {
  return Math.round(scale * fitRatio(image, box.width, box.height) * 100);
}

/** The viewport's size in CSS pixels, updated on resize only. */
export function useBoxSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const read = () => {
      const { width, height } = element.getBoundingClientRect();
      setSize((old) => (Math.abs(old.width - width) < 0.5 && Math.abs(old.height - height) < 0.5 ? old : { width, height }));
    };
    read();
    const observer = new ResizeObserver(read);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

export function useZoomScale(zoom: ZoomPan): number {
  return useSyncExternalStore(zoom.subscribe, zoom.getScale, () => 1);
}

/** The CSS size of a box with `ratio` (w / h) that fits the width and a height limit. */
export function boxStyle(ratio: number, maxHeight: string) {
  return { aspectRatio: String(ratio), width: `min(100%, calc(${maxHeight} * ${ratio.toFixed(4)}))` };
}
