"use client";

import { type KeyboardEvent as ReactKeyboardEvent, type ReactNode, useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import Link from "next/link";
import { CompareSlider, sliderKey } from "./compare-slider";
import { ExpandIcon } from "../ui/icons";
import { SideBySide } from "./side-by-side";
import { DifferenceView } from "./difference-view";
import { ProgressiveImage } from "./progressive-image";
import { type CompareImage, fitRatio, useZoomScale, zoomPercent } from "./hooks";
import { ZoomPan } from "./zoom-pan";
import { paneImageClass, ZoomPane } from "./zoom-pane";
import { RegionMaskContext } from "./region-overlay";

export type CompareMode = "slider" | "side" | "diff" | "result";

const MODES: { id: CompareMode; label: string; key: string }[] = [
  { id: "slider", label: "Slider", key: "1" },
  { id: "side", label: "Side by side", key: "2" },
  { id: "diff", label: "Difference", key: "3" },
  { id: "result", label: "Result", key: "4" },
];

const THREE_MODES = MODES.slice(0, 3);
const ZOOM_STEP = 1.25;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Page-wide keys leave alone what another widget is handling: a dialog, or arrows on a focused control elsewhere. */
function ownedElsewhere(event: KeyboardEvent | ReactKeyboardEvent, root: HTMLElement | null): boolean {
  const target = event.target;
  if (!(target instanceof Element) || target === document.body || root?.contains(target)) return false;
  if (target.closest("dialog, [role=dialog]")) return true;
  return event.key.startsWith("Arrow");
}

function ToolButton({ label, keys, onClick, children, disabled }: { label: string; keys?: string; onClick: () => void; children: ReactNode; disabled?: boolean }) {
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      aria-keyshortcuts={keys}
      title={keys ? `${label} (${keys.split(" ").join(" or ")})` : label}
      className="inline-flex h-8 min-w-8 items-center justify-center rounded-md px-2 text-sm text-zinc-300 hover:bg-zinc-800 hover:text-zinc-50 disabled:pointer-events-none disabled:opacity-40"
    >
      {children}
    </button>
  );
}

/**
 * Compares two images: a slider, side by side, and a difference view, with zoom and pan
 * shared by every pane and kept across modes. Both images are contained in a box of the
 * second image's ratio, so images of different sizes line up.
 * Keys (when focus is inside, or anywhere on the page with `globalKeys`): 1/2/3(/4) switch
 * modes, ←/→ move the divider, + / − zoom, 0 or F fit. They work from page load, without a
 * click first, and keep working: a switch that removes the focused pane keeps focus in the view.
 */
export function CompareView({
  a,
  b,
  maxHeight = "72vh",
  withResult = false,
  globalKeys = false,
  initialMode = "slider",
  expandHref,
  regionMaskUrl = null,
}: {
  a: CompareImage;
  b: CompareImage;
  maxHeight?: string;
  withResult?: boolean;
  globalKeys?: boolean;
  initialMode?: CompareMode;
  /** A link to the full-page comparison (from the job page). */
  expandHref?: string;
  /** A region edit's mask: a toggle outlines the painted region over every pane, and the difference keeps to it. */
  regionMaskUrl?: string | null;
}) {
  const [zoom] = useState(() => new ZoomPan());
  const scale = useZoomScale(zoom);
  const [mode, setMode] = useState<CompareMode>(initialMode);
  const [position, setPosition] = useState(50);
  const [showRegion, setShowRegion] = useState(false);
  const [box, setBox] = useState({ width: 0, height: 0 });
  const stage = useRef<HTMLDivElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const refocusStage = useRef(false);
  const base = useId();
  const modes = withResult ? MODES : THREE_MODES;

  useEffect(() => () => zoom.dispose(), [zoom]);

  // The box every pane uses (its size differs between modes): measured, never per frame.
  useLayoutEffect(() => {
    const element = stage.current;
    if (!element) return;
    const read = () => {
      const target = element.querySelector<HTMLElement>("[data-zoom-box]");
      const rect = target?.getBoundingClientRect();
      if (!rect) return;
      setBox((old) => (Math.abs(old.width - rect.width) < 0.5 && Math.abs(old.height - rect.height) < 0.5 ? old : { width: rect.width, height: rect.height }));
    };
    read();
    const observer = new ResizeObserver(read);
    observer.observe(element);
    return () => observer.disconnect();
  }, [mode]);

  // The focused pane may have just been replaced; without this, focus falls to <body>.
  useLayoutEffect(() => {
    if (!refocusStage.current) return;
    refocusStage.current = false;
    if (!stage.current?.contains(document.activeElement)) stage.current?.focus({ preventScroll: true });
  }, [mode]);

  // Allow at least 8× the real pixels of the larger image.
  useEffect(() => {
    if (box.width === 0) return;
    const smallest = Math.min(fitRatio(a, box.width, box.height), fitRatio(b, box.width, box.height));
    zoom.maxScale = Math.max(4, 8 / smallest);
  }, [zoom, a, b, box]);

  const shown = mode === "side" ? null : b;
  const percent = zoomPercent(b, scale, box);
  const zoomed = scale > 1.0001;
  const pixelated = percent >= 300;

  const actualSize = useCallback(() => {
    const ratio = fitRatio(b, box.width, box.height);
    zoom.zoomTo(1 / ratio);
  }, [zoom, b, box]);

  const handleKey = useCallback(
    (event: KeyboardEvent | ReactKeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (globalKeys && ownedElsewhere(event, root.current)) return;
      const picked = modes.find((m) => m.key === event.key);
      if (picked) {
        event.preventDefault();
        refocusStage.current = stage.current?.contains(document.activeElement) ?? false;
        setMode(picked.id);
        return;
      }
      switch (event.key) {
        case "0":
        case "f":
        case "F":
          event.preventDefault();
          zoom.fit();
          return;
        case "+":
        case "=":
          event.preventDefault();
          zoom.zoomAt(ZOOM_STEP);
          return;
        case "-":
        case "_":
          event.preventDefault();
          zoom.zoomAt(1 / ZOOM_STEP);
          return;
      }
      if (mode === "slider") {
        if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
        const next = sliderKey(event.key, position, event.shiftKey);
        if (next === null) return;
        event.preventDefault();
        setPosition(next);
      } else if (zoom.isZoomed()) {
        const step = 0.1;
        const pan: Record<string, [number, number]> = {
          ArrowLeft: [step, 0],
          ArrowRight: [-step, 0],
          ArrowUp: [0, step],
          ArrowDown: [0, -step],
        };
        const delta = pan[event.key];
        if (!delta) return;
        event.preventDefault();
        zoom.panBy(delta[0], delta[1]);
      }
    },
    [globalKeys, mode, modes, position, zoom],
  );

  useEffect(() => {
    if (!globalKeys) return;
    window.addEventListener("keydown", handleKey);
    return () => window.removeEventListener("keydown", handleKey);
  }, [globalKeys, handleKey]);

  function onTabKey(event: ReactKeyboardEvent<HTMLButtonElement>, index: number) {
    const delta = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!delta) return;
    event.preventDefault();
    const next = (index + delta + modes.length) % modes.length;
    setMode(modes[next]!.id);
    tabRefs.current[next]?.focus();
  }

  return (
    <div
      ref={root}
      onKeyDown={globalKeys ? undefined : handleKey}
      data-testid="compare-view"
      data-mode={mode}
      className="min-w-0"
    >
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <div role="tablist" aria-label="Comparison view" className="inline-flex rounded-lg border border-zinc-800 bg-zinc-900 p-0.5">
          {modes.map((tab, index) => (
            <button
              key={tab.id}
              ref={(node) => {
                tabRefs.current[index] = node;
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${tab.id}`}
              aria-selected={mode === tab.id}
              aria-controls={`${base}-panel`}
              aria-keyshortcuts={tab.key}
              tabIndex={mode === tab.id ? 0 : -1}
              title={`${tab.label} (${tab.key})`}
              onClick={() => setMode(tab.id)}
              onKeyDown={(e) => onTabKey(e, index)}
              className={`h-8 rounded-md px-3 text-sm transition-colors ${
                mode === tab.id ? "bg-zinc-700 text-zinc-50 shadow-sm" : "text-zinc-400 hover:text-zinc-200"
              }`}
            >
              {tab.label}
            </button>
          ))}
        </div>
        {regionMaskUrl ? (
          <button
            type="button"
            aria-pressed={showRegion}
            onClick={() => setShowRegion((on) => !on)}
            title="Outline the painted region over the images"
            className={`h-9 rounded-lg border px-3 text-sm transition-colors ${
              showRegion ? "border-accent-400/60 bg-zinc-800 text-zinc-50" : "border-zinc-800 bg-zinc-900 text-zinc-400 hover:text-zinc-200"
            }`}
          >
            Show region
          </button>
        ) : null}
        <div className="flex items-center gap-0.5 rounded-lg border border-zinc-800 bg-zinc-900 p-0.5" role="group" aria-label="Zoom">
          <ToolButton label="Zoom out" keys="-" onClick={() => zoom.zoomAt(1 / ZOOM_STEP)} disabled={!zoomed}>
            <svg viewBox="0 0 24 24" className="size-4" aria-hidden="true">
              <path d="M6 12h12" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </ToolButton>
          <output
            className="w-14 text-center text-xs font-medium tabular-nums text-zinc-200"
            aria-label="Zoom level"
            data-testid="zoom-readout"
            title={shown ? `${shown.label} at ${percent} % of its pixels` : "Zoom of the second image"}
          >
            {percent} %
          </output>
          <ToolButton label="Zoom in" keys="+" onClick={() => zoom.zoomAt(ZOOM_STEP)}>
            <svg viewBox="0 0 24 24" className="size-4" aria-hidden="true">
              <path d="M6 12h12M12 6v12" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </ToolButton>
          <span aria-hidden="true" className="mx-0.5 h-5 w-px bg-zinc-800" />
          <ToolButton label="Fit" keys="0 F" onClick={() => zoom.fit()}>
            <span className="text-xs font-medium">Fit</span>
          </ToolButton>
          <ToolButton label="Actual size (100 %)" onClick={actualSize}>
            <span className="text-xs font-medium">1:1</span>
          </ToolButton>
          {expandHref ? (
            <>
              <span aria-hidden="true" className="mx-0.5 h-5 w-px bg-zinc-800" />
              <Link
                href={expandHref}
                aria-label="Open the full-page comparison"
                title="Open the full-page comparison"
                className="inline-flex size-8 items-center justify-center rounded-md text-zinc-300 hover:bg-zinc-800 hover:text-zinc-50"
              >
                <ExpandIcon className="size-3.5" />
              </Link>
            </>
          ) : null}
        </div>
      </div>

      <RegionMaskContext.Provider value={showRegion ? regionMaskUrl : null}>
        <div ref={stage} role="tabpanel" tabIndex={-1} id={`${base}-panel`} aria-labelledby={`${base}-tab-${mode}`} className="outline-none">
          {mode === "slider" ? (
            <CompareSlider
              before={a}
              after={b}
              zoom={zoom}
              position={position}
              onPosition={setPosition}
              maxHeight={maxHeight}
              pixelated={pixelated}
              zoomed={zoomed}
            />
          ) : mode === "side" ? (
            <SideBySide before={a} after={b} zoom={zoom} scale={scale} maxHeight={maxHeight} />
          ) : mode === "diff" ? (
            <DifferenceView
              before={a}
              after={b}
              zoom={zoom}
              maxHeight={maxHeight}
              pixelated={pixelated}
              zoomed={zoomed}
              regionMaskUrl={regionMaskUrl}
            />
          ) : (
            <ZoomPane
              zoom={zoom}
              image={b}
              maxHeight={maxHeight}
              zoomed={zoomed}
              layer={<ProgressiveImage image={b} className={paneImageClass(pixelated)} testId="result-image" />}
            />
          )}
        </div>
      </RegionMaskContext.Provider>

      <p className="mt-3 hidden text-center text-[11px] text-zinc-500 md:block">
        Scroll or pinch to zoom · drag to pan · double-click for 100 % ·{" "}
        {modes.map((m) => m.key).join(" ")} switch views · ← → move the divider · 0 fits
      </p>
    </div>
  );
}
