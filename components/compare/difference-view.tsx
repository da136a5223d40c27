"use client";

import { useEffect, useRef, useState } from "react";
import { Spinner } from "../ui/icons";
import { type DiffCounts, type DiffStyle, type Pixels, paint, readPixels } from "./difference-pixels";
import { boxStyle, type CompareImage } from "./hooks";
import { paneImageClass, ZoomPane } from "./zoom-pane";
import type { ZoomPan } from "./zoom-pan";

const GAINS = [1, 4, 16] as const;

/**
 * Changed pixels, computed on canvases: both images drawn at the same size (contained like
 * on screen), then |a − b| per channel, amplified. Zooms and pans with the other modes.
 * For a region edit, only change inside the painted region shows by default: that is what
 * the edit was asked to change; the whole frame is one click away.
 */
export function DifferenceView({
  before,
  after,
  zoom,
  maxHeight,
  pixelated,
  zoomed,
  regionMaskUrl = null,
}: {
  before: CompareImage;
  after: CompareImage;
  zoom: ZoomPan;
  maxHeight: string;
  pixelated: boolean;
  zoomed: boolean;
  /** A region edit's mask (its input's size): the view can keep to the painted region. */
  regionMaskUrl?: string | null;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [pixels, setPixels] = useState<Pixels | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gain, setGain] = useState<number>(4);
  const [style, setStyle] = useState<DiffStyle>("overlay");
  const [inRegion, setInRegion] = useState(true);
  const [counts, setCounts] = useState<DiffCounts | null>(null);

  const latest = useRef({ before, after, regionMaskUrl });
  latest.current = { before, after, regionMaskUrl };
  const source = `${before.url} ${before.width} ${before.height} ${after.url} ${after.width} ${after.height} ${regionMaskUrl}`;
  useEffect(() => {
    let live = true;
    const { before, after, regionMaskUrl } = latest.current;
    setPixels(null);
    setError(null);
    readPixels(before, after, regionMaskUrl).then(
      (p) => live && setPixels(p),
      () => live && setError("Couldn't read the images to compare them."),
    );
    return () => {
      live = false;
    };
  }, [source]);

  useEffect(() => {
    const element = canvas.current;
    if (!pixels || !element) return;
    element.width = pixels.width;
    element.height = pixels.height;
    const ctx = element.getContext("2d");
    if (!ctx) return;
    const out = ctx.createImageData(pixels.width, pixels.height);
    setCounts(paint(pixels, out.data, gain, style, inRegion));
    ctx.putImageData(out, 0, 0);
  }, [pixels, gain, style, inRegion]);

  const segment = (active: boolean) =>
    `h-7 rounded-md px-2.5 text-xs font-medium transition-colors ${active ? "bg-zinc-700 text-zinc-50 shadow-sm" : "text-zinc-400 hover:text-zinc-200"}`;
  const region = inRegion && pixels?.region ? pixels.region : null;
  const percent = (share: number) => (share < 0.001 && share > 0 ? "< 0.1" : (share * 100).toFixed(1));

  return (
    <div>
      <ZoomPane
        zoom={zoom}
        image={after}
        maxHeight={maxHeight}
        zoomed={zoomed}
        background="bg-zinc-950"
        testId="difference-view"
        layer={
          <canvas
            ref={canvas}
            className={paneImageClass(pixelated)}
            role="img"
            aria-label={`Difference between ${before.label} and ${after.label}`}
            data-testid="diff-canvas"
            data-changed={counts ? counts.changed.toFixed(4) : undefined}
            data-scope={region ? "region" : "frame"}
          />
        }
      >
        {!pixels && !error ? (
          <div className="absolute inset-0 flex items-center justify-center gap-2 text-sm text-zinc-400">
            <Spinner className="size-4" /> Comparing pixels…
          </div>
        ) : null}
        {error ? (
          <p role="alert" className="absolute inset-0 flex items-center justify-center p-6 text-center text-sm text-red-300">
            {error}
          </p>
        ) : null}
      </ZoomPane>
      <div
        className="mx-auto mt-2 flex flex-wrap items-center justify-between gap-x-4 gap-y-2 text-xs text-zinc-400"
        style={{ maxWidth: boxStyle(after.width / after.height, maxHeight).width }}
      >
        <p aria-live="polite" data-testid="diff-summary">
          {!counts ? (
            "Reading pixels…"
          ) : region ? (
            <>
              Showing change inside the painted region: <span className="font-semibold tabular-nums text-zinc-100">{percent(counts.changed)} %</span> of
              it changed{counts.changedOutside ? <span className="text-zinc-500"> ({percent(counts.changedOutside)} % of the rest changed too)</span> : null}
            </>
          ) : (
            <>
              <span className="font-semibold tabular-nums text-zinc-100">{percent(counts.changed)} %</span> of pixels changed
            </>
          )}
        </p>
        <div className="flex flex-wrap items-center gap-3">
          {pixels?.region ? (
            <div role="radiogroup" aria-label="Difference area" className="inline-flex rounded-lg border border-zinc-800 bg-zinc-900 p-0.5">
              <button type="button" role="radio" aria-checked={inRegion} onClick={() => setInRegion(true)} className={segment(inRegion)}>
                Region
              </button>
              <button type="button" role="radio" aria-checked={!inRegion} onClick={() => setInRegion(false)} className={segment(!inRegion)}>
                Whole frame
              </button>
            </div>
          ) : null}
          <div role="radiogroup" aria-label="Amplify differences" className="flex items-center gap-1.5">
            <span className="text-zinc-500" aria-hidden="true">
              Amplify
            </span>
            <span className="inline-flex rounded-lg border border-zinc-800 bg-zinc-900 p-0.5">
              {GAINS.map((g) => (
                <button key={g} type="button" role="radio" aria-checked={gain === g} onClick={() => setGain(g)} className={segment(gain === g)}>
                  {g}×
                </button>
              ))}
            </span>
          </div>
          <div role="radiogroup" aria-label="Difference style" className="inline-flex rounded-lg border border-zinc-800 bg-zinc-900 p-0.5">
            <button type="button" role="radio" aria-checked={style === "overlay"} onClick={() => setStyle("overlay")} className={segment(style === "overlay")}>
              Highlight
            </button>
            <button type="button" role="radio" aria-checked={style === "raw"} onClick={() => setStyle("raw")} className={segment(style === "raw")}>
              Raw |a − b|
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
