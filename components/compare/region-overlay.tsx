"use client";

import { createContext, useEffect, useRef } from "react";
import { type Contour, loadContour } from "./region-contour";
import type { View, ZoomPan } from "./zoom-pan";

/** The painted region's mask to outline over every pane, or null when it is hidden or there is none. */
export const RegionMaskContext = createContext<string | null>(null);

/** A dark halo under a light line: the edge reads on light and dark images alike. */
const STROKES = [
  { color: "rgba(9, 9, 11, 0.75)", width: 3.5 },
  { color: "rgba(255, 255, 255, 0.95)", width: 1.5 },
];

function draw(canvas: HTMLCanvasElement, size: { width: number; height: number }, contour: Contour | null, view: View) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.round(size.width * dpr);
  const height = Math.round(size.height * dpr);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (!contour) return;
  // The mask is contained in the pane's box like the images, and the box zooms and pans (zoom-pan.ts).
  const shown = Math.min(size.width, size.height * contour.ratio);
  const [w, h] = [shown, shown / contour.ratio];
  const placed = new Path2D();
  placed.addPath(contour.path, {
    a: view.scale * w,
    d: view.scale * h,
    e: view.x * size.width + (view.scale * (size.width - w)) / 2,
    f: view.y * size.height + (view.scale * (size.height - h)) / 2,
  });
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of STROKES) {
    ctx.strokeStyle = stroke.color;
    ctx.lineWidth = stroke.width;
    ctx.stroke(placed);
  }
}

/**
 * The painted region's edge over a pane, drawn at screen resolution on every zoom or pan
 * frame rather than scaled with the images, so the line stays thin and sharp at any zoom.
 */
export function RegionOutline({ zoom, maskUrl }: { zoom: ZoomPan; maskUrl: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    let contour: Contour | null = null;
    let size = { width: element.clientWidth, height: element.clientHeight };
    const redraw = () => draw(element, size, contour, zoom.get());
    const observer = new ResizeObserver(([entry]) => {
      if (entry) size = { width: entry.contentRect.width, height: entry.contentRect.height };
      redraw();
    });
    observer.observe(element);
    const unwatch = zoom.watch(redraw);
    let live = true;
    // A mask that fails to load leaves the pane without an outline; the images still compare.
    loadContour(maskUrl).then(
      (traced) => {
        contour = traced;
        if (live) redraw();
      },
      () => undefined,
    );
    return () => {
      live = false;
      observer.disconnect();
      unwatch();
    };
  }, [zoom, maskUrl]);
  return <canvas ref={canvas} className="absolute inset-0 size-full" aria-hidden="true" />;
}
