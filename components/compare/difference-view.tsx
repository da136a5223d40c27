"use client";

import { useEffect, useRef, useState } from "react";
import { Spinner } from "../ui/icons";
import { boxStyle, type CompareImage } from "./hooks";
import { paneImageClass, ZoomPane } from "./zoom-pane";
import type { ZoomPan } from "./zoom-pan";

/** Work at most this many pixels on the long side: sharp enough, and ~20 ms per pass. */
const MAX_SIDE = 2048;
/** A channel difference above this counts as "changed" (out of 255), past JPEG-like noise. */
const THRESHOLD = 12;
const GAINS = [1, 4, 16] as const;
type Style = "overlay" | "raw";

type Pixels = { a: Uint8ClampedArray; b: Uint8ClampedArray; width: number; height: number };

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.decoding = "async";
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`Could not load ${url}`));
    image.src = url;
  });
}

/** Draws both images into canvases of one size, each contained like on screen, and reads them. */
async function readPixels(a: CompareImage, b: CompareImage): Promise<Pixels> {
  const [imgA, imgB] = await Promise.all([loadImage(a.url), loadImage(b.url)]);
  const k = Math.min(1, MAX_SIDE / Math.max(b.width, b.height));
  const width = Math.max(1, Math.round(b.width * k));
  const height = Math.max(1, Math.round(b.height * k));
  const read = (image: HTMLImageElement, w: number, h: number) => {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("Canvas is not available");
    const fit = Math.min(width / w, height / h);
    const dw = w * fit;
    const dh = h * fit;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(image, (width - dw) / 2, (height - dh) / 2, dw, dh);
    return ctx.getImageData(0, 0, width, height).data;
  };
  return { a: read(imgA, a.width, a.height), b: read(imgB, b.width, b.height), width, height };
}

/** |a − b| amplified into `out`; returns the share of comparable pixels that changed. */
function paint(pixels: Pixels, out: ImageData, gain: number, style: Style): number {
  const { a, b } = pixels;
  const o = out.data;
  let changed = 0;
  let compared = 0;
  for (let i = 0; i < o.length; i += 4) {
    if (a[i + 3]! < 8 || b[i + 3]! < 8) {
      // Letterbox: one image does not cover this spot, so there is nothing to compare.
      o[i] = 24;
      o[i + 1] = 24;
      o[i + 2] = 27;
      o[i + 3] = 255;
      continue;
    }
    compared++;
    const dr = Math.abs(a[i]! - b[i]!);
    const dg = Math.abs(a[i + 1]! - b[i + 1]!);
    const db = Math.abs(a[i + 2]! - b[i + 2]!);
    const d = Math.max(dr, dg, db);
    if (d > THRESHOLD) changed++;
    if (style === "raw") {
      o[i] = dr * gain;
      o[i + 1] = dg * gain;
      o[i + 2] = db * gain;
    } else {
      // The "after" image as a dim grey, with changes glowing from red to amber.
      const grey = (b[i]! * 0.299 + b[i + 1]! * 0.587 + b[i + 2]! * 0.114) * 0.28 + 8;
      const t = Math.min(1, (d * gain) / 255);
      const r = 239 + (252 - 239) * t;
      const g = 68 + (211 - 68) * t;
      const bl = 68 + (77 - 68) * t;
      const w = d > 2 ? Math.min(1, t * 1.6) : 0;
      o[i] = grey + (r - grey) * w;
      o[i + 1] = grey + (g - grey) * w;
      o[i + 2] = grey + (bl - grey) * w;
    }
    o[i + 3] = 255;
  }
  return compared === 0 ? 0 : changed / compared;
}

/**
 * Changed pixels, computed on canvases: both images drawn at the same size (contained like
 * on screen), then |a − b| per channel, amplified. Zooms and pans with the other modes.
 */
export function DifferenceView({
  before,
  after,
  zoom,
  maxHeight,
  pixelated,
  zoomed,
}: {
  before: CompareImage;
  after: CompareImage;
  zoom: ZoomPan;
  maxHeight: string;
  pixelated: boolean;
  zoomed: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [pixels, setPixels] = useState<Pixels | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gain, setGain] = useState<number>(4);
  const [style, setStyle] = useState<Style>("overlay");
  const [changed, setChanged] = useState<number | null>(null);

  const latest = useRef({ before, after });
  latest.current = { before, after };
  const source = `${before.url} ${before.width} ${before.height} ${after.url} ${after.width} ${after.height}`;
  useEffect(() => {
    let live = true;
    const { before, after } = latest.current;
    setPixels(null);
    setError(null);
    readPixels(before, after).then(
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
    setChanged(paint(pixels, out, gain, style));
    ctx.putImageData(out, 0, 0);
  }, [pixels, gain, style]);

  const segment = (active: boolean) =>
    `h-7 rounded-md px-2.5 text-xs font-medium transition-colors ${active ? "bg-zinc-700 text-zinc-50 shadow-sm" : "text-zinc-400 hover:text-zinc-200"}`;
  const share = changed === null ? null : changed * 100;

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
            data-changed={changed === null ? undefined : changed.toFixed(4)}
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
          {share === null ? (
            "Reading pixels…"
          ) : (
            <>
              <span className="font-semibold tabular-nums text-zinc-100">{share < 0.1 && share > 0 ? "< 0.1" : share.toFixed(1)} %</span> of
              pixels changed
            </>
          )}
        </p>
        <div className="flex flex-wrap items-center gap-3">
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
