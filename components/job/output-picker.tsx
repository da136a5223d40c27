"use client";

import type { OutputRef } from "@/lib/dto";

/** Thumbnails to choose which of several outputs is shown. */
export function OutputPicker({
  outputs,
  selected,
  onSelect,
}: {
  outputs: OutputRef[];
  selected: number;
  onSelect: (index: number) => void;
}) {
  if (outputs.length < 2) return null;
  return (
    <div className="mt-4 flex flex-wrap justify-center gap-2" role="group" aria-label="Outputs">
      {outputs.map((output, index) => (
        <button
          key={output.imageId}
          type="button"
          onClick={() => onSelect(index)}
          aria-pressed={index === selected}
          aria-label={`Output ${index + 1} of ${outputs.length}`}
          className={`checker relative size-16 overflow-hidden rounded-lg ring-2 transition ${
            index === selected ? "ring-accent-400" : "opacity-70 ring-transparent hover:opacity-100 hover:ring-zinc-600"
          }`}
        >
          <img src={output.thumbUrl} alt="" width={output.width} height={output.height} className="size-full object-cover" />
          <span className="absolute bottom-0.5 right-1 text-[10px] font-semibold text-white [text-shadow:0_1px_2px_rgb(0_0_0)]">
            {index + 1}
          </span>
          {output.favorite ? (
            <svg viewBox="0 0 24 24" className="absolute left-1 top-1 size-3 text-accent-300 drop-shadow" aria-hidden="true">
              <path d="m12 3.8 2.5 5.1 5.6.8-4 3.9.9 5.6-5-2.6-5 2.6.9-5.6-4-3.9 5.6-.8L12 3.8Z" fill="currentColor" />
            </svg>
          ) : null}
        </button>
      ))}
    </div>
  );
}
