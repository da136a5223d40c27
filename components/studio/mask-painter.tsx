"use client";

import { type KeyboardEvent, type PointerEvent as ReactPointerEvent, type RefObject, useCallback, useEffect, useRef, useState } from "react";
import {
  drawStoredMask,
  exportMaskPng,
  fillPolygon,
  invertMask,
  maskSize,
  paintedPixels,
  type Point,
  rectPoints,
  strokeSegment,
  stamp,
  undoDepth,
} from "@/lib/client/mask";

export type MaskHandle = {
  /** True when any pixel is painted: the submit then sends the mask. */
  painted: () => boolean;
  /** True while the painter holds exactly the mask it opened with (still loading counts): that mask can go as it is. */
  unchanged: () => boolean;
  /** The mask as a PNG of exactly the input's width × height. */
  exportPng: () => Promise<Blob>;
};

type Tool = "brush" | "eraser" | "rect" | "lasso" | "pan";
const TOOLS: { id: Tool; label: string; hint: string }[] = [
  { id: "brush", label: "Brush", hint: "Paint the area to change" },
  { id: "eraser", label: "Eraser", hint: "Erase painted area" },
  { id: "rect", label: "Rectangle", hint: "Fill a rectangle (Alt: erase)" },
  { id: "lasso", label: "Lasso", hint: "Fill a free shape (Alt: erase)" },
  { id: "pan", label: "Pan", hint: "Move the zoomed image (or hold Space, or drag with the middle button)" },
];
const MIN_SIZE = 2;
const MAX_SIZE = 300;
const MAX_ZOOM = 16;

type Drag =
  | { kind: "pan"; start: Point; from: Point; id: number }
  | { kind: "paint"; last: Point; erase: boolean; id: number }
  | { kind: "shape"; points: Point[]; rect: boolean; erase: boolean; id: number }
  | { kind: "pinch"; distance: number; mid: Point; zoom: number; pan: Point };

const distance = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

export function MaskPainter({
  image,
  handleRef,
  initialMask = null,
}: {
  image: { width: number; height: number; previewUrl: string };
  handleRef: RefObject<MaskHandle | null>;
  /** A stored mask to start from (a remix's region), as an image URL. */
  initialMask?: string | null;
}) {
  const size = maskSize(image.width, image.height);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const cursorRef = useRef<HTMLDivElement>(null);
  const [tool, setTool] = useState<Tool>("brush");
  const [brush, setBrush] = useState(40);
  const [softness, setSoftness] = useState(0.3);
  const [visible, setVisible] = useState(true);
  const [opacity, setOpacity] = useState(0.6);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState<Point>({ x: 0, y: 0 });
  const [count, setCount] = useState(0);
  const [shape, setShape] = useState<Point[] | null>(null);
  const [spaceHeld, setSpaceHeld] = useState(false);
  const drag = useRef<Drag | null>(null);
  /** Touches on the image, so a second finger turns a stroke into pinch zoom. */
  const touches = useRef(new Map<number, Point>());
  const undo = useRef<ImageData[]>([]);
  const redo = useRef<ImageData[]>([]);
  const [history, setHistory] = useState({ undo: 0, redo: 0 });
  const countRef = useRef(0);
  countRef.current = count;
  const [seed, setSeed] = useState<"loading" | "loaded" | "failed" | null>(initialMask ? "loading" : null);
  const seedRef = useRef(seed);
  seedRef.current = seed;
  /** Set by the first change after opening: from then on the mask is the designer's own. */
  const changed = useRef(false);

  const ctx = () => canvasRef.current?.getContext("2d", { willReadFrequently: true }) ?? null;

  useEffect(() => {
    handleRef.current = {
      painted: () => countRef.current > 0,
      unchanged: () => seedRef.current !== null && seedRef.current !== "failed" && !changed.current,
      exportPng: () => (canvasRef.current ? exportMaskPng(canvasRef.current, image.width, image.height) : Promise.reject(new Error("No mask"))),
    };
    return () => {
      handleRef.current = null;
    };
  }, [handleRef, image.width, image.height]);

  const settle = useCallback(() => {
    const c = ctx();
    if (c) setCount(paintedPixels(c));
    setHistory({ undo: undo.current.length, redo: redo.current.length });
  }, []);

  // A remix opens with its job's region; a mask that won't load or doesn't fit leaves the canvas empty.
  useEffect(() => {
    if (!initialMask) return;
    let live = true;
    const load = async () => {
      const response = await fetch(initialMask);
      const c = ctx();
      if (!response.ok || !c) return false;
      const file = await response.blob();
      return live && drawStoredMask(c, file, { width: image.width, height: image.height });
    };
    load()
      .catch(() => false)
      .then((ok) => {
        if (!live) return;
        setSeed(ok ? "loaded" : "failed");
        settle();
      });
    return () => {
      live = false;
    };
  }, [initialMask, image.width, image.height, settle]);

  /** Saves the mask before a change, dropping the oldest snapshot past the memory bound. */
  const snapshot = useCallback(() => {
    const c = ctx();
    if (!c) return;
    changed.current = true;
    undo.current.push(c.getImageData(0, 0, size.width, size.height));
    if (undo.current.length > undoDepth(size.width, size.height)) undo.current.shift();
    redo.current = [];
  }, [size.width, size.height]);

  const step = useCallback(
    (back: boolean) => {
      const c = ctx();
      const from = back ? undo.current : redo.current;
      const to = back ? redo.current : undo.current;
      const data = from.pop();
      if (!c || !data) return;
      changed.current = true;
      to.push(c.getImageData(0, 0, size.width, size.height));
      c.putImageData(data, 0, 0);
      settle();
    },
    [settle, size.width, size.height],
  );

  function change(apply: (c: CanvasRenderingContext2D) => void) {
    const c = ctx();
    if (!c || seed === "loading") return;
    snapshot();
    apply(c);
    settle();
  }

  /** A pointer position in mask pixels (the canvas is scaled by CSS and by the zoom). */
  function toMask(event: { clientX: number; clientY: number }): Point {
    const rect = canvasRef.current!.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * size.width, y: ((event.clientY - rect.top) / rect.height) * size.height };
  }
  const radius = () => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return (brush / 2) * (size.width / rect.width);
  };

  /** A second finger: drop the stroke it began and zoom and pan with both. */
  function startPinch() {
    const d = drag.current;
    const c = ctx();
    if (d?.kind === "paint" && c) {
      const before = undo.current.pop();
      if (before) c.putImageData(before, 0, 0);
    }
    setShape(null);
    const [a, b] = [...touches.current.values()] as [Point, Point];
    const box = viewportRef.current!.getBoundingClientRect();
    drag.current = { kind: "pinch", distance: distance(a, b), mid: { x: (a.x + b.x) / 2 - box.left, y: (a.y + b.y) / 2 - box.top }, zoom, pan };
  }

  function onPointerDown(event: ReactPointerEvent<HTMLDivElement>) {
    if (event.pointerType === "touch") {
      touches.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (touches.current.size === 2) {
        event.currentTarget.setPointerCapture(event.pointerId);
        startPinch();
        return;
      }
    }
    if (drag.current) return;
    const panning = tool === "pan" || spaceHeld || event.button === 1;
    if (!panning && event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    const c = ctx();
    if (!c) return;
    if (panning) {
      drag.current = { kind: "pan", start: { x: event.clientX, y: event.clientY }, from: pan, id: event.pointerId };
      return;
    }
    // Paint drawn before the region arrives would be overwritten by it.
    if (seed === "loading") return;
    const at = toMask(event);
    if (tool === "brush" || tool === "eraser") {
      snapshot();
      stamp(c, at, radius(), softness, tool === "eraser");
      drag.current = { kind: "paint", last: at, erase: tool === "eraser", id: event.pointerId };
    } else {
      drag.current = { kind: "shape", points: [at], rect: tool === "rect", erase: event.altKey, id: event.pointerId };
      setShape([at]);
    }
  }

  function onPointerMove(event: ReactPointerEvent<HTMLDivElement>) {
    moveCursor(event);
    if (touches.current.has(event.pointerId)) touches.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const d = drag.current;
    if (d?.kind === "pinch") {
      const [a, b] = [...touches.current.values()];
      if (!a || !b) return;
      const box = viewportRef.current!.getBoundingClientRect();
      const next = Math.min(MAX_ZOOM, Math.max(1, (d.zoom * distance(a, b)) / d.distance));
      const mid = { x: (a.x + b.x) / 2 - box.left, y: (a.y + b.y) / 2 - box.top };
      setZoom(next);
      setPan(next === 1 ? { x: 0, y: 0 } : { x: mid.x - ((d.mid.x - d.pan.x) * next) / d.zoom, y: mid.y - ((d.mid.y - d.pan.y) * next) / d.zoom });
      return;
    }
    if (!d || d.id !== event.pointerId) return;
    if (d.kind === "pan") {
      setPan({ x: d.from.x + event.clientX - d.start.x, y: d.from.y + event.clientY - d.start.y });
    } else if (d.kind === "paint") {
      const c = ctx();
      if (!c) return;
      // Pens and fast mice report more points than frames; use them all for a smooth line.
      const events = event.nativeEvent.getCoalescedEvents?.() ?? [event.nativeEvent];
      for (const e of events.length ? events : [event.nativeEvent]) {
        const at = toMask(e);
        strokeSegment(c, d.last, at, radius(), softness, d.erase);
        d.last = at;
      }
    } else {
      const at = toMask(event);
      d.points = d.rect ? [d.points[0]!, at] : [...d.points, at];
      setShape(d.rect ? rectPoints(d.points[0]!, at) : d.points);
    }
  }

  function onPointerUp(event: ReactPointerEvent<HTMLDivElement>) {
    touches.current.delete(event.pointerId);
    const d = drag.current;
    if (d?.kind === "pinch") {
      // The finger left behind doesn't start painting; the gesture ends with the last one.
      if (touches.current.size === 0) {
        drag.current = null;
        settle();
      }
      return;
    }
    if (!d || d.id !== event.pointerId) return;
    drag.current = null;
    if (d.kind === "paint") settle();
    if (d.kind === "shape") {
      setShape(null);
      const points = d.rect ? rectPoints(d.points[0]!, d.points[1] ?? d.points[0]!) : d.points;
      change((c) => fillPolygon(c, points, d.erase));
    }
  }

  function moveCursor(event: { clientX: number; clientY: number; pointerType?: string }) {
    const cursor = cursorRef.current;
    const box = viewportRef.current?.getBoundingClientRect();
    if (!cursor || !box) return;
    cursor.style.transform = `translate(${event.clientX - box.left - brush / 2}px, ${event.clientY - box.top - brush / 2}px)`;
  }

  const zoomAt = useCallback((factor: number, around?: Point) => {
    const box = viewportRef.current?.getBoundingClientRect();
    if (!box) return;
    const p = around ?? { x: box.width / 2, y: box.height / 2 };
    setZoom((z) => {
      const next = Math.min(MAX_ZOOM, Math.max(1, z * factor));
      setPan((o) => (next === 1 ? { x: 0, y: 0 } : { x: p.x - ((p.x - o.x) * next) / z, y: p.y - ((p.y - o.y) * next) / z }));
      return next;
    });
  }, []);

  // A wheel zoom must stop the page scrolling, which React's passive wheel listener can't do.
  useEffect(() => {
    const viewport = viewportRef.current;
    if (!viewport) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = viewport.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY / 300), { x: event.clientX - box.left, y: event.clientY - box.top });
    };
    viewport.addEventListener("wheel", onWheel, { passive: false });
    return () => viewport.removeEventListener("wheel", onWheel);
  }, [zoomAt]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const mod = event.metaKey || event.ctrlKey;
    const key = event.key.toLowerCase();
    if (mod && (key === "z" || key === "y")) {
      event.preventDefault();
      step(key === "z" && !event.shiftKey);
    } else if (event.key === "[" || event.key === "]") {
      event.preventDefault();
      setBrush((b) => Math.min(MAX_SIZE, Math.max(MIN_SIZE, Math.round(event.key === "[" ? b / 1.25 : b * 1.25))));
    } else if (event.key === " " && event.target === event.currentTarget) {
      event.preventDefault();
      setSpaceHeld(true);
    }
  }

  const share = (count / (size.width * size.height)) * 100;
  const shareText = count === 0 ? "0" : share < 1 ? share.toFixed(1) : String(Math.round(share));
  const panning = tool === "pan" || spaceHeld;
  const plain = "border-zinc-700 bg-zinc-900 text-zinc-300 hover:border-zinc-500 hover:text-zinc-100 disabled:hover:border-zinc-700";
  const shapeOf = "rounded-md border px-2 py-1 text-xs disabled:opacity-40";
  const button = `${shapeOf} ${plain}`;

  return (
    <div
      role="group"
      aria-label="Region painter"
      tabIndex={0}
      onKeyDown={onKeyDown}
      onKeyUp={(e) => e.key === " " && setSpaceHeld(false)}
      onBlur={() => setSpaceHeld(false)}
      data-painted-pixels={count}
      className="mt-3 rounded-xl border border-zinc-800 bg-zinc-900/60 p-2 outline-none focus-visible:ring-2 focus-visible:ring-accent-400/60"
    >
      <div className="mb-2 flex flex-wrap items-center gap-1.5">
        <div role="radiogroup" aria-label="Painting tool" className="flex gap-1">
          {TOOLS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="radio"
              aria-checked={tool === t.id}
              title={t.hint}
              onClick={() => setTool(t.id)}
              className={`${shapeOf} ${tool === t.id ? "border-accent-400/70 bg-accent-400/15 font-medium text-accent-300" : plain}`}
            >
              {t.label}
            </button>
          ))}
        </div>
        <button type="button" className={button} aria-label="Undo" title="Undo (Ctrl/Cmd+Z)" disabled={history.undo === 0} onClick={() => step(true)}>
          Undo
        </button>
        <button type="button" className={button} aria-label="Redo" title="Redo (Shift+Ctrl/Cmd+Z)" disabled={history.redo === 0} onClick={() => step(false)}>
          Redo
        </button>
        <button type="button" className={button} onClick={() => change(invertMask)}>
          Invert
        </button>
        <button type="button" className={button} disabled={count === 0} onClick={() => change((c) => c.clearRect(0, 0, size.width, size.height))}>
          Clear
        </button>
      </div>
      <div className="mb-2 flex flex-wrap items-center gap-x-4 gap-y-1.5 text-xs text-zinc-400">
        <label className="flex items-center gap-1.5" title="Brush size ([ and ])">
          Size
          <input type="range" aria-label="Brush size" min={MIN_SIZE} max={MAX_SIZE} value={brush} onChange={(e) => setBrush(Number(e.target.value))} className="w-20 accent-accent-400" />
          <span className="w-7 tabular-nums text-zinc-300">{brush}</span>
        </label>
        <label className="flex items-center gap-1.5">
          Softness
          <input type="range" aria-label="Brush softness" min={0} max={1} step={0.05} value={softness} onChange={(e) => setSoftness(Number(e.target.value))} className="w-16 accent-accent-400" />
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={visible} onChange={(e) => setVisible(e.target.checked)} className="accent-accent-400" />
          Show region
        </label>
        <label className="flex items-center gap-1.5">
          Opacity
          <input type="range" aria-label="Region overlay opacity" min={0.1} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} className="w-16 accent-accent-400" />
        </label>
        <span className="flex items-center gap-1">
          <button type="button" className={button} aria-label="Zoom out" disabled={zoom <= 1} onClick={() => zoomAt(1 / 1.5)}>
            −
          </button>
          <span className="w-10 text-center tabular-nums text-zinc-300">{Math.round(zoom * 100)}%</span>
          <button type="button" className={button} aria-label="Zoom in" disabled={zoom >= MAX_ZOOM} onClick={() => zoomAt(1.5)}>
            +
          </button>
        </span>
        <span className="ml-auto font-medium tabular-nums text-zinc-200" data-testid="region-share" aria-live="polite">
          Region: {shareText} %
        </span>
      </div>
      <div
        ref={viewportRef}
        data-testid="mask-viewport"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerEnter={moveCursor}
        onAuxClick={(e) => e.preventDefault()}
        className={`checker relative overflow-hidden rounded-lg select-none ${panning ? "cursor-grab" : "cursor-none"}`}
        style={{ touchAction: "none" }}
      >
        <div style={{ transform: `translate(${pan.x}px, ${pan.y}px) scale(${zoom})`, transformOrigin: "0 0" }} className="relative">
          <img src={image.previewUrl} alt="Input image to paint on" width={image.width} height={image.height} draggable={false} className="block h-auto w-full" />
          <canvas
            ref={canvasRef}
            width={size.width}
            height={size.height}
            aria-label="Painted region"
            className="absolute inset-0 size-full"
            style={{ opacity: visible ? opacity : 0 }}
          />
          {shape ? (
            <svg viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="none" className="pointer-events-none absolute inset-0 size-full" aria-hidden>
              <polygon points={shape.map((p) => `${p.x},${p.y}`).join(" ")} fill="rgba(244,63,94,0.35)" stroke="rgb(244,63,94)" strokeWidth={2} vectorEffect="non-scaling-stroke" />
            </svg>
          ) : null}
        </div>
        {!panning && (tool === "brush" || tool === "eraser") ? (
          <div
            ref={cursorRef}
            aria-hidden
            className="pointer-events-none absolute top-0 left-0 rounded-full border border-zinc-100 mix-blend-difference"
            style={{ width: brush, height: brush }}
          />
        ) : null}
      </div>
      {seed === "failed" ? (
        <p role="alert" className="mt-1.5 text-xs text-amber-300">
          The job&apos;s region couldn&apos;t be loaded onto this image. Paint it again, or edit the whole image.
        </p>
      ) : null}
      <p className="mt-1.5 text-xs text-zinc-500">
        Paint what may change; the rest of the image keeps its pixels. [ ] size · Ctrl/Cmd+Z undo · wheel zoom · Space+drag pan
      </p>
    </div>
  );
}
