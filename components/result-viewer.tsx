"use client";

import { type KeyboardEvent, useId, useRef, useState } from "react";
import type { ImageRef, OutputRef } from "@/lib/dto";
import { CompareSlider } from "./compare-slider";
import { SideBySide } from "./side-by-side";

type View = "slider" | "side" | "result";

const TABS: { id: View; label: string }[] = [
  { id: "slider", label: "Slider" },
  { id: "side", label: "Side by side" },
  { id: "result", label: "Result" },
];

function SingleImage({ image, alt }: { image: OutputRef; alt: string }) {
  const ratio = image.width / image.height;
  return (
    <div
      className="checker relative mx-auto overflow-hidden rounded-xl"
      style={{ aspectRatio: `${image.width} / ${image.height}`, width: `min(100%, calc(72vh * ${ratio.toFixed(4)}))` }}
    >
      <img
        src={image.url}
        alt={alt}
        width={image.width}
        height={image.height}
        className="absolute inset-0 size-full object-contain"
        data-testid="result-image"
      />
    </div>
  );
}

/** The result, plus before/after tabs (slider, side by side) when the job had an input. */
export function ResultViewer({ input, output, alt }: { input: ImageRef | undefined; output: OutputRef; alt: string }) {
  const [view, setView] = useState<View>("slider");
  const base = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  if (!input) return <SingleImage image={output} alt={alt} />;

  function onTabKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const delta = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!delta) return;
    event.preventDefault();
    const next = (index + delta + TABS.length) % TABS.length;
    setView(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  }

  return (
    <div>
      <div className="mb-3 flex justify-center">
        <div role="tablist" aria-label="Comparison view" className="inline-flex rounded-lg border border-zinc-800 bg-zinc-900 p-0.5">
          {TABS.map((tab, index) => (
            <button
              key={tab.id}
              ref={(node) => {
                tabRefs.current[index] = node;
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${tab.id}`}
              aria-selected={view === tab.id}
              aria-controls={`${base}-panel`}
              tabIndex={view === tab.id ? 0 : -1}
              onClick={() => setView(tab.id)}
              onKeyDown={(e) => onTabKey(e, index)}
              className={`h-8 rounded-md px-3 text-sm transition-colors ${
                view === tab.id ? "bg-zinc-700 text-zinc-50 shadow-sm" : "text-zinc-400 hover:text-zinc-200"
              }`}
            >
              {tab.label}
            </button>
          ))}
        </div>
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${view}`}>
        {view === "slider" ? (
          <CompareSlider before={input} after={output} alt={alt} />
        ) : view === "side" ? (
          <SideBySide before={input} after={output} alt={alt} />
        ) : (
          <SingleImage image={output} alt={alt} />
        )}
      </div>
    </div>
  );
}
