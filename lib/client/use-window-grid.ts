"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

/**
 * Windowing for a grid of square tiles that scrolls with the page: only the rows near the
 * viewport are rendered, the rest is empty space of the exact same height, so the
 * scrollbar and the layout never jump. Columns follow CSS `repeat(auto-fill, minmax(min, 1fr))`
 * arithmetic, so the first (server) render as a plain CSS grid and the windowed render
 * put every tile in the same place.
 */
export type WindowGrid = {
  ref: (node: HTMLElement | null) => void;
  /** 0 until the container has been measured in the browser. */
  columns: number;
  /** Tile edge in px (tiles are square). */
  tile: number;
  gap: number;
  /** Rows [firstRow, lastRow) are rendered. */
  firstRow: number;
  lastRow: number;
  rows: number;
  totalHeight: number;
};

type Options = { count: number; minTile: number; gap: number; overscanPx?: number };

export function useWindowGrid({ count, minTile, gap, overscanPx = 800 }: Options): WindowGrid {
  const [node, setNode] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(0);
  const [range, setRange] = useState<[number, number]>([0, 0]);

  const columns = width > 0 ? Math.max(1, Math.floor((width + gap) / (minTile + gap))) : 0;
  const tile = columns > 0 ? (width - gap * (columns - 1)) / columns : 0;
  const stride = tile + gap;
  const rows = columns > 0 ? Math.ceil(count / columns) : 0;
  const totalHeight = rows > 0 ? rows * tile + (rows - 1) * gap : 0;

  // The latest geometry, read by the scroll handler without re-subscribing.
  const geometry = useRef({ stride, rows, node });
  geometry.current = { stride, rows, node };

  const update = useCallback(() => {
    const { stride: s, rows: r, node: el } = geometry.current;
    if (!el || s <= 0) return;
    const top = el.getBoundingClientRect().top;
    const first = Math.max(0, Math.floor((-top - overscanPx) / s));
    const last = Math.min(r, Math.max(first, Math.ceil((window.innerHeight - top + overscanPx) / s)));
    setRange((current) => (current[0] === first && current[1] === last ? current : [first, last]));
  }, [overscanPx]);

  useLayoutEffect(() => {
    if (!node) return;
    setWidth(node.clientWidth);
    const observer = new ResizeObserver(() => setWidth(node.clientWidth));
    observer.observe(node);
    return () => observer.disconnect();
  }, [node]);

  // Recompute when the geometry or the item count changes.
  useLayoutEffect(update, [update, stride, rows, node]);

  useEffect(() => {
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = window.requestAnimationFrame(() => {
        frame = 0;
        update();
      });
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll, { passive: true });
    // Content above the grid may change height (live job cards come and go).
    const observer = new ResizeObserver(onScroll);
    observer.observe(document.body);
    return () => {
      window.removeEventListener("scroll", onScroll);
      window.removeEventListener("resize", onScroll);
      observer.disconnect();
      if (frame) window.cancelAnimationFrame(frame);
    };
  }, [update]);

  return { ref: setNode, columns, tile, gap, firstRow: range[0], lastRow: range[1], rows, totalHeight };
}
